using System.Globalization;
using IoMux.Cli.Scaling;

namespace IoMux.Cli.Tests.Scaling;

public sealed class ScaleHarnessTests
{
    // 600 pairs put the readers past fd 1024; K=16 exceeds N=8. Small enough to run in a moment.
    private static readonly ScaleSettings Small = new([8, 600], [1, 16], 2, 50, ScaleSettings.AllBackends, ScaleSettings.AllTriggers);
    private static readonly ScaleReport Report = ScaleHarness.Run(Small);

    // io_uring runs every trigger, where the kernel allows it.
    private static readonly (SelectorBackend, Trigger)[] IoUringCombos = Selector.IsAvailable(SelectorBackend.IoUring, out _)
        ? [(SelectorBackend.IoUring, Trigger.Level), (SelectorBackend.IoUring, Trigger.Edge), (SelectorBackend.IoUring, Trigger.OneShot)]
        : [];

    [Fact]
    public void There_is_one_row_per_supported_backend_trigger_size_and_active_count()
    {
        (SelectorBackend, Trigger)[] combos =
        [
            (SelectorBackend.Epoll, Trigger.Level), (SelectorBackend.Epoll, Trigger.Edge), (SelectorBackend.Epoll, Trigger.OneShot),
            (SelectorBackend.Poll, Trigger.Level), (SelectorBackend.Poll, Trigger.OneShot),
            (SelectorBackend.Select, Trigger.Level), (SelectorBackend.Select, Trigger.OneShot),
            .. IoUringCombos,
        ];
        var expected = from c in combos from n in Small.Sizes from k in Small.Actives select (c.Item1, c.Item2, n, k);
        var actual = Report.Rows.Select(r => (r.Backend, r.Trigger, r.Pairs, r.Active));
        Assert.Equal(expected.Order(), actual.Order());
        Assert.Contains("poll has no edge trigger: not measured", Report.Notes);
        Assert.Contains("select has no edge trigger: not measured", Report.Notes);
    }

    [Fact]
    public void Select_past_FD_SETSIZE_is_skipped_with_the_reason_and_the_others_run()
    {
        foreach (ScaleRow row in Report.Rows.Where(r => r.Pairs == 600 && r.Active == 1))
        {
            if (row.Backend == SelectorBackend.Select)
            {
                Assert.False(row.Ran);
                Assert.Contains("select(2) stops at FD_SETSIZE", row.Skipped, StringComparison.Ordinal);
                Assert.Empty(row.Samples);
            }
            else
            {
                Assert.True(row.Ran, row.Skipped);
            }
        }
    }

    [Fact]
    public void More_tokens_than_pairs_is_skipped_and_every_cell_that_ran_has_one_sample_per_run()
    {
        Assert.All(Report.Rows.Where(r => r.Pairs == 8 && r.Active == 16), r => Assert.Equal("N=8 K=16: skipped, fewer pairs than active tokens", r.Skipped));
        ScaleRow[] ran = [.. Report.Rows.Where(r => r.Ran)];
        // N=8: all 7 combinations (10 with io_uring) at K=1. N=600: the 5 epoll and poll combinations (8 with io_uring) at K=1 and at K=16.
        int uring = IoUringCombos.Length;
        Assert.Equal(7 + uring + ((5 + uring) * 2), ran.Length);
        Assert.All(ran, r => Assert.Equal(Small.Runs, r.Samples.Count));
        Assert.All(ran, r => Assert.Equal(r.Active + Small.Writes, r.Wakeups));
    }

    [Fact]
    public void The_descriptor_limit_is_raised_to_the_hard_limit()
    {
        // The kernel's own account of this process's limits, read independently of the harness. (The .NET
        // runtime already raises the soft limit at start-up, so "before" usually equals the hard limit too.)
        (ulong soft, ulong hard) = OpenFilesLimit();
        Assert.Equal(hard, Report.FdLimit);
        Assert.Equal(hard, soft);
        Assert.InRange(Report.FdLimitBefore, 1UL, hard);
        string raised = $"raised the descriptor limit (RLIMIT_NOFILE) from {Report.FdLimitBefore} to its hard limit {hard}";
        Assert.Equal(Report.FdLimitBefore < hard, Report.Notes.Contains(raised));
        Assert.Equal([8, 600], Report.Sizes);
    }

    /// <summary>The soft and hard RLIMIT_NOFILE, from the "Max open files" line of /proc/self/limits.</summary>
    private static (ulong Soft, ulong Hard) OpenFilesLimit()
    {
        string line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        string[] fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (ulong.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}
