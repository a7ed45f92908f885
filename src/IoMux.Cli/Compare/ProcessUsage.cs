using System.Globalization;

namespace IoMux.Cli.Compare;

/// <summary>A process's user and system CPU time and its resident memory, read from /proc.</summary>
internal readonly record struct ProcessUsage(TimeSpan UserTime, TimeSpan SystemTime, long ResidentBytes)
{
    // /proc reports times in USER_HZ ticks, fixed at 100 per second on x86-64 and arm64 Linux.
    private const double TicksPerSecond = 100;

    /// <summary>user+sys: what the process cost the machine.</summary>
    public TimeSpan CpuTime => UserTime + SystemTime;

    /// <summary>The CPU time spent between two readings of one process; resident memory is the later reading's.</summary>
    public static ProcessUsage operator -(ProcessUsage after, ProcessUsage before) =>
        new(after.UserTime - before.UserTime, after.SystemTime - before.SystemTime, after.ResidentBytes);

    /// <summary>user and sys time of all the process's threads, and its RSS.</summary>
    public static ProcessUsage Read(int pid) => Parse(File.ReadAllText($"/proc/{pid}/stat"));

    /// <summary>Reads the fields of one /proc/PID/stat line.</summary>
    public static ProcessUsage Parse(string stat)
    {
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);   // field 14
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);   // field 15
        long rssPages = long.Parse(fields[21], CultureInfo.InvariantCulture); // field 24
        return new ProcessUsage(TimeSpan.FromSeconds(utime / TicksPerSecond), TimeSpan.FromSeconds(stime / TicksPerSecond), rssPages * Environment.SystemPageSize);
    }
}
