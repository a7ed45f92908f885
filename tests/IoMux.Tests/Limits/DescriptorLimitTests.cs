namespace IoMux.Tests.Limits;

/// <summary>The descriptor limit is the kernel's RLIMIT_NOFILE, read and raised for real.</summary>
public sealed class DescriptorLimitTests
{
    [Fact]
    public void Raising_to_hard_leaves_the_soft_limit_at_the_hard_limit_and_the_kernel_agrees()
    {
        // Lower this process's soft limit from outside (prlimit(1)), so that raising it has something to do.
        LowerOwnSoftLimit(512);
        DescriptorLimit before = DescriptorLimit.Current();
        Assert.Equal(512UL, before.Soft);
        Assert.True(before.Soft <= before.Hard, $"soft {before.Soft} above hard {before.Hard}");

        DescriptorLimit raised = DescriptorLimit.RaiseToHard();

        Assert.Equal(before.Hard, raised.Hard);
        Assert.Equal(raised.Hard, raised.Soft);
        Assert.Equal(raised, DescriptorLimit.Current());
        Assert.Equal(raised.Soft.ToString(System.Globalization.CultureInfo.InvariantCulture), SoftLimitAsProcSees());
    }

    private static void LowerOwnSoftLimit(int soft)
    {
        using var prlimit = System.Diagnostics.Process.Start("prlimit", ["--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--nofile={soft}:"])
            ?? throw new InvalidOperationException("could not start prlimit");
        Assert.True(prlimit.WaitForExit(30_000), "prlimit did not exit");
        Assert.Equal(0, prlimit.ExitCode);
    }

    /// <summary>The "Max open files" soft column of /proc/self/limits: the kernel's own account, not getrlimit's.</summary>
    private static string SoftLimitAsProcSees()
    {
        string line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        string soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return soft == "unlimited" ? ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : soft;
    }
}
