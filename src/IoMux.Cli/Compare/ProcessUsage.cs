using System.Globalization;

namespace IoMux.Cli.Compare;

/// <summary>A process's CPU time and resident memory, read from /proc.</summary>
internal readonly record struct ProcessUsage(TimeSpan CpuTime, long ResidentBytes)
{
    // /proc reports times in USER_HZ ticks, fixed at 100 per second on x86-64 and arm64 Linux.
    private const double TicksPerSecond = 100;

    /// <summary>user+sys time of all the process's threads, and its RSS.</summary>
    public static ProcessUsage Read(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);   // field 14
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);   // field 15
        long rssPages = long.Parse(fields[21], CultureInfo.InvariantCulture); // field 24
        return new ProcessUsage(TimeSpan.FromSeconds((utime + stime) / TicksPerSecond), rssPages * Environment.SystemPageSize);
    }
}
