using IoMux.Cli.Demos.Models;

namespace IoMux.Cli.Tests.Demos;

public sealed class StraceSummaryTests
{
    // strace 6.1, `strace -f -c -o FILE /bin/ls`, trimmed: rows with and without an errors column.
    private const string Sample = """
        % time     seconds  usecs/call     calls    errors syscall
        ------ ----------- ----------- --------- --------- ----------------
          0.00    0.000000           0         7           read
          0.00    0.000000           0         2           write
          0.00    0.000000           0         2         2 ioctl
          0.00    0.000000           0        34        13 openat
          0.00    0.000000           0         1           prlimit64
        ------ ----------- ----------- --------- --------- ----------------
        100.00    0.000000           0        46        15 total
        """;

    [Fact]
    public void Calls_are_read_from_the_calls_column_whether_or_not_errors_are_present()
    {
        StraceSummary summary = StraceSummary.Parse(Sample);
        Assert.Equal(7, summary.CallsOf("read"));
        Assert.Equal(2, summary.CallsOf("ioctl"));
        Assert.Equal(34, summary.CallsOf("openat"));
        Assert.Equal(0, summary.CallsOf("epoll_wait"));
        Assert.Equal(46, summary.Total);
    }

    [Fact]
    public void The_delta_subtracts_the_baseline_per_call_and_keeps_the_largest()
    {
        StraceSummary baseline = StraceSummary.Parse(Sample);
        StraceSummary model = StraceSummary.Parse(Sample.Replace("        34        13 openat", "       134        13 openat", StringComparison.Ordinal)
            .Replace("        46        15 total", "       146        15 total", StringComparison.Ordinal));
        SyscallDelta delta = ModelsDemo.Delta(model, baseline);
        Assert.Equal(100, delta.Total);
        Assert.Equal([KeyValuePair.Create("openat", 100L)], delta.Top);
    }

    [Fact]
    public void Text_without_a_table_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => StraceSummary.Parse("strace: ptrace(PTRACE_TRACEME, ...): Operation not permitted\n"));
    }
}
