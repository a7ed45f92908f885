using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary>A real comparison run between two IoMux echo servers: every run's user and system CPU reaches its measurement and the log.</summary>
public sealed class ComparisonRunnerTests : IDisposable
{
    private readonly string _peers = Directory.CreateTempSubdirectory("iomux-peers-").FullName;

    public ComparisonRunnerTests() => File.WriteAllText(Path.Combine(_peers, "run.sh"), "");

    public void Dispose() => Directory.Delete(_peers, recursive: true);

    [Fact]
    public void Every_server_and_workload_gets_its_cpu_split_measured()
    {
        // Two IoMux modes stand in for the peers (which need bench/setup-peers.sh); the first plays the reference.
        IReadOnlyList<ServerSpec> resolved = ServerCatalog.Resolve(["iomux-epoll-level", "iomux-uring", ServerCatalog.Reference], _peers);
        ServerSpec[] servers = [resolved[0] with { IsReference = true }, resolved[1]];
        Workload[] workloads = [new(4, 64, 16), new(2, 16 * 1024, 1)];
        var options = new ComparisonOptions(servers, workloads, Rounds: 1, TimeSpan.FromMilliseconds(400), ClientThreads: 1, IdleConnections: 0, BasePort: LoopbackPorts.FreeRun(servers.Length));
        var log = new StringWriter();

        ComparisonResult result = ComparisonRunner.Run(options, log, CancellationToken.None);

        Assert.Empty(result.Skipped);
        foreach (Workload workload in workloads)
        {
            foreach (ServerSpec server in servers)
            {
                Measurement m = result.Measurements[(workload, server.Name)];
                Assert.True(m.Messages > 0, $"{server.Name} echoed nothing on {workload.Name}");
                Assert.Equal(0, m.Errors);
                Assert.True(m.ServerCpu > TimeSpan.Zero, $"{server.Name} used no measurable CPU on {workload.Name}");
                Assert.Equal(m.ServerUser + m.ServerSystem, m.ServerCpu);
            }
        }
        string[] rounds = [.. log.ToString().Split('\n').Where(l => l.StartsWith("round ", StringComparison.Ordinal))];
        Assert.Equal(workloads.Length * servers.Length, rounds.Length);
        Assert.All(rounds, l => Assert.Matches(@"µs CPU/msg \(user \d+\.\d\d \+ sys \d+\.\d\d\)", l));
        Assert.Contains("| user µs/msg |", ComparisonReport.Markdown(result, "iomux compare"), StringComparison.Ordinal);
    }

    [MultiCpuFact]
    public void Pinned_every_server_is_moved_onto_the_server_cpus_and_the_report_says_where_each_side_ran()
    {
        IReadOnlyList<ServerSpec> resolved = ServerCatalog.Resolve(["iomux-epoll-level", "iomux-uring", ServerCatalog.Reference], _peers);
        ServerSpec[] servers = [resolved[0] with { IsReference = true }, resolved[1]];
        IReadOnlyCollection<int> allowed = CpuPinning.Allowed();
        var pinning = new CpuPinning([allowed.First()], [allowed.Last()]);
        var options = new ComparisonOptions(servers, [new(4, 64, 16)], Rounds: 1, TimeSpan.FromMilliseconds(300), ClientThreads: 1, IdleConnections: 0, BasePort: LoopbackPorts.FreeRun(servers.Length))
        {
            Pinning = pinning,
        };
        var log = new StringWriter();

        ComparisonResult result = ComparisonRunner.Run(options, log, CancellationToken.None);

        Assert.All(result.Measurements.Values, m => Assert.True(m.Messages > 0 && m.Errors == 0));
        foreach (ServerSpec server in servers)
        {
            // iomux echo runs the runtime's threads besides its loop: all of them must have moved.
            Assert.Matches($@"pinned {server.Name}: ([2-9]|\d\d+) thread\(s\) on CPU {allowed.Last()}", log.ToString());
        }
        Assert.Contains($"Pinned: the load generator on CPU {allowed.First()}, each server on CPU {allowed.Last()} (every thread).", ComparisonReport.Markdown(result, "iomux compare --pin"), StringComparison.Ordinal);
    }
}
