using System.Globalization;

namespace IoMux.Cli.Compare;

/// <summary>
/// The CPU columns every comparison table carries: per message the total, the user and the system time, each with
/// its ratio to the reference's same figure, so the user-space cost a server adds is not hidden under the kernel's.
/// </summary>
internal static class CpuColumns
{
    public const string Alignment = "--:|--:|--:|--:|--:|--:";

    public static string Header(string unit, string reference) =>
        $"CPU µs/{unit} | vs {reference} | user µs/{unit} | user vs {reference} | sys µs/{unit} | sys vs {reference}";

    public static string Cells(CpuPerMessage cpu, CpuPerMessage reference) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{cpu.Total:0.00} | {Ratio(cpu.Total, reference.Total)} | {cpu.User:0.00} | {Ratio(cpu.User, reference.User)} | {cpu.System:0.00} | {Ratio(cpu.System, reference.System)}");

    /// <summary>The sentence under a report's heading that says what the columns mean.</summary>
    public static string Explanation(string subject, string unit, string counted, string reference) =>
        $"**CPU µs/{unit}** is the {subject}'s user+sys time (/proc/PID/stat, all threads) over the run divided by {counted}; " +
        $"**user** is the part spent in the {subject}'s own code, **sys** the part the kernel spent on its behalf. " +
        $"Each **vs {reference}** is that figure as a ratio to {reference}'s same figure (lower is better).";

    // A reference that spent no measurable time of a kind (below /proc's 10 ms tick) gives no ratio rather than infinity.
    private static string Ratio(double value, double reference) =>
        reference > 0 && double.IsFinite(value)
            ? string.Create(CultureInfo.InvariantCulture, $"{value / reference:0.00}×")
            : "–";
}
