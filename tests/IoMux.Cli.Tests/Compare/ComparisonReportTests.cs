using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary>The comparison tables give user and system CPU per message apart, each as a ratio to the reference's own.</summary>
public sealed class ComparisonReportTests
{
    private static readonly ServerSpec Reference = new("c-epoll", "bash", [], IsReference: true);
    private static readonly ServerSpec Other = new("iomux-epoll-level", "iomux", []);
    private static readonly Workload Small = new(50, 64, 16);

    // Reference: 0.10 user + 0.40 sys µs per message; the other: 0.20 user + 0.40 sys.
    private static ComparisonResult Result()
    {
        var options = new ComparisonOptions([Reference, Other], [Small], 1, TimeSpan.FromSeconds(1), 1, 0, 21500);
        var reference = new Measurement();
        reference.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 100, systemMs: 400), 500, 0, null);
        var other = new Measurement();
        other.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 200, systemMs: 400), 600, 0, null);
        return new ComparisonResult(
            options,
            [Reference, Other],
            new Dictionary<string, string>(),
            new Dictionary<(Workload, string), Measurement> { [(Small, Reference.Name)] = reference, [(Small, Other.Name)] = other },
            new Dictionary<string, double>(),
            new Dictionary<string, string>(),
            DateTimeOffset.Now);
    }

    private static ProcessUsage Used(int userMs, int systemMs) => new(TimeSpan.FromMilliseconds(userMs), TimeSpan.FromMilliseconds(systemMs), 0);

    [Fact]
    public void Each_row_gives_total_user_and_system_cpu_per_message_with_their_own_ratios()
    {
        string[] lines = ComparisonReport.Markdown(Result(), "iomux compare").Split('\n');
        string header = Assert.Single(lines, l => l.StartsWith("| server |", StringComparison.Ordinal));
        Assert.Equal("| server | msg/s | CPU µs/msg | vs c-epoll | user µs/msg | user vs c-epoll | sys µs/msg | sys vs c-epoll | p99 µs | errors |", header);
        Assert.Contains("| iomux-epoll-level | 1,000,000 | 0.60 | 1.20× | 0.20 | 2.00× | 0.40 | 1.00× | 600 | 0 |", lines);
        Assert.Contains("| c-epoll | 1,000,000 | 0.50 | 1.00× | 0.10 | 1.00× | 0.40 | 1.00× | 500 | 0 |", lines);
        int columns = header.Count(c => c == '|');
        Assert.All(lines.Where(l => l.StartsWith('|')), l => Assert.Equal(columns, l.Count(c => c == '|')));
    }

    [Fact]
    public void The_udp_table_splits_cpu_per_datagram_the_same_way()
    {
        ComparisonResult result = Result();
        var loss = new Dictionary<(Workload, string), (long Sent, long Lost)> { [(Small, Other.Name)] = (1_000_100, 100) };
        string[] lines = UdpComparisonReport.Markdown(new UdpComparisonResult(result, loss), "iomux compare --udp").Split('\n');
        Assert.Contains("| server | datagrams/s | CPU µs/datagram | vs c-epoll | user µs/datagram | user vs c-epoll | sys µs/datagram | sys vs c-epoll | p99 µs | lost | corrupt |", lines);
        Assert.Contains("| iomux-epoll-level | 1,000,000 | 0.60 | 1.20× | 0.20 | 2.00× | 0.40 | 1.00× | 600 | 0.01 % | 0 |", lines);
    }

    [Fact]
    public void A_reference_without_measurable_user_time_gives_no_ratio_rather_than_infinity()
    {
        var server = new Measurement();
        server.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 200, systemMs: 400), 500, 0, null);
        var reference = new Measurement();
        reference.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 0, systemMs: 400), 500, 0, null);
        Assert.Equal("0.60 | 1.50× | 0.20 | – | 0.40 | 1.00×", CpuColumns.Cells(server, reference));
    }

    [Fact]
    public void Ratios_are_the_median_of_each_rounds_ratio_so_one_noisy_round_does_not_move_them()
    {
        var server = new Measurement();
        var reference = new Measurement();
        foreach (int serverUserMs in (int[])[100, 110, 1000])
        {
            server.Add(1_000_000, TimeSpan.FromSeconds(1), Used(serverUserMs, systemMs: 400), 500, 0, null);
            reference.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 100, systemMs: 400), 500, 0, null);
        }
        // Pooled, the third round would make the user ratio 4.03×; the median of 1.0, 1.1 and 10 is 1.1.
        Assert.Equal("0.80 | 1.02× | 0.40 | 1.10× | 0.40 | 1.00×", CpuColumns.Cells(server, reference));
        server.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 120, systemMs: 400), 500, 0, null);
        reference.Add(1_000_000, TimeSpan.FromSeconds(1), Used(userMs: 100, systemMs: 400), 500, 0, null);
        // With an even count, the mean of the middle two: 1.1 and 1.2.
        Assert.Equal(1.15, CpuRatio.Between(server, reference).User, precision: 6);
    }

    [Fact]
    public void The_chart_is_written()
    {
        string path = Path.Combine(Path.GetTempPath(), $"iomux-compare-{Guid.NewGuid():N}.png");
        try
        {
            ComparisonReport.Chart(Result(), path);
            Assert.True(new FileInfo(path).Length > 0, $"{path} is empty");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_default_workloads_include_16_KiB_and_256_KiB_messages_at_depth_1()
    {
        Assert.Contains(new Workload(10, 16 * 1024, 1), Workload.Defaults);
        Assert.Contains(new Workload(10, 256 * 1024, 1), Workload.Defaults);
        Assert.Equal("10 × 256 KiB depth 1", new Workload(10, 256 * 1024, 1).Name);
    }
}
