using System.Diagnostics;
using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary>/proc's user and system time, read apart: a process that only computes spends user time, one that only makes system calls spends system time.</summary>
public sealed class ProcessUsageTests
{
    private static readonly TimeSpan Enough = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void A_process_that_only_computes_spends_user_time()
    {
        ProcessUsage used = RunUntilBusy("sh", "-c", "while :; do :; done");
        Assert.True(used.UserTime > used.SystemTime * 4, $"a shell busy loop spent user {used.UserTime.TotalMilliseconds} ms, system {used.SystemTime.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_process_that_only_makes_system_calls_spends_system_time()
    {
        // Each read of /dev/zero has the kernel zero a mebibyte; dd does next to nothing between the calls.
        ProcessUsage used = RunUntilBusy("dd", "if=/dev/zero", "of=/dev/null", "bs=1M");
        Assert.True(used.SystemTime > used.UserTime * 4, $"dd bs=1M spent user {used.UserTime.TotalMilliseconds} ms, system {used.SystemTime.TotalMilliseconds} ms");
    }

    [Fact]
    public void The_difference_of_two_readings_splits_the_time_between_them()
    {
        var before = new ProcessUsage(TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(450), 4096);
        var after = new ProcessUsage(TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(570), 8192);
        ProcessUsage used = after - before;
        Assert.Equal(TimeSpan.FromMilliseconds(30), used.UserTime);
        Assert.Equal(TimeSpan.FromMilliseconds(120), used.SystemTime);
        Assert.Equal(TimeSpan.FromMilliseconds(150), used.CpuTime);
        Assert.Equal(8192, used.ResidentBytes);
    }

    [Fact]
    public void Fields_are_counted_after_the_command_name_even_when_it_holds_spaces_and_parentheses()
    {
        string stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 12 0 0 20 0 3 0 500 1000000 250 18446744073709551615";
        ProcessUsage usage = ProcessUsage.Parse(stat);
        Assert.Equal(TimeSpan.FromMilliseconds(370), usage.UserTime);
        Assert.Equal(TimeSpan.FromMilliseconds(120), usage.SystemTime);
        Assert.Equal(250L * Environment.SystemPageSize, usage.ResidentBytes);
    }

    // Waits on the outcome (the process has used enough CPU to tell its kinds apart), not on the clock.
    private static ProcessUsage RunUntilBusy(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        try
        {
            ProcessUsage first = ProcessUsage.Read(process.Id);
            var deadline = Stopwatch.StartNew();
            ProcessUsage used;
            do
            {
                Thread.Sleep(20);
                used = ProcessUsage.Read(process.Id) - first;
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"{file} used only {used.CpuTime.TotalMilliseconds} ms of CPU in 60 s");
            }
            while (used.CpuTime < Enough);
            return used;
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }
}
