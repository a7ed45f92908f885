using System.Globalization;

namespace IoMux.Cli.Compare;

/// <summary>
/// A server's CPU per message, in microseconds, split as /proc splits it: user time is what the server's own code
/// costs, system time what the kernel spends on its behalf (about the same for every server doing the same calls).
/// </summary>
internal readonly record struct CpuPerMessage(double User, double System)
{
    public double Total => User + System;

    public static CpuPerMessage Of(ProcessUsage used, long messages) =>
        messages > 0
            ? new(used.UserTime.TotalMicroseconds / messages, used.SystemTime.TotalMicroseconds / messages)
            : new(double.NaN, double.NaN);

    /// <summary>For the progress log: total, then the split.</summary>
    public string Describe(string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{Total:0.00} µs CPU/{unit} (user {User:0.00} + sys {System:0.00})");
}
