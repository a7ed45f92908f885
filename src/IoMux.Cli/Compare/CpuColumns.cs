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

    public static string Cells(Measurement server, Measurement reference)
    {
        CpuPerMessage cpu = server.Cpu;
        CpuRatio ratio = CpuRatio.Between(server, reference);
        return string.Create(CultureInfo.InvariantCulture,
            $"{cpu.Total:0.00} | {Ratio(ratio.Total)} | {cpu.User:0.00} | {Ratio(ratio.User)} | {cpu.System:0.00} | {Ratio(ratio.System)}");
    }

    /// <summary>The sentence under a report's heading that says what the columns mean.</summary>
    public static string Explanation(string subject, string unit, string counted, string reference) =>
        $"**CPU µs/{unit}** is the {subject}'s user+sys time (/proc/PID/stat, all threads) over all rounds divided by {counted}; " +
        $"**user** is the part spent in the {subject}'s own code, **sys** the part the kernel spent on its behalf " +
        "(the total is the scheduler's exact run time; the kernel splits it by where its timer ticks found the process, so the split is a sample). " +
        $"Each **vs {reference}** is that figure's ratio to {reference}'s in the same round, the median over the rounds (lower is better).";

    public static string Ratio(double ratio) =>
        double.IsFinite(ratio) ? string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00}×") : "–";
}
