using System.Globalization;

namespace IoMux.Cli.Scaling;

/// <summary>The report as CSV: one line per cell, times in microseconds, skipped cells with their reason.</summary>
internal static class ScaleCsv
{
    public const string Header = "backend,trigger,pairs,active,writes,runs,median_chain_us,per_wakeup_us,min_chain_us,max_chain_us,skipped";

    public static void Write(ScaleReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(Header);
        foreach (ScaleRow row in report.Rows)
        {
            string times = row.Ran
                ? string.Create(CultureInfo.InvariantCulture, $"{Us(row.Median)},{row.PerWakeupMicroseconds:0.###},{Us(row.Samples.Min())},{Us(row.Samples.Max())}")
                : ",,,";
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.BackendName},{row.TriggerName},{row.Pairs},{row.Active},{row.Writes},{row.Samples.Count},{times},{Quote(row.Skipped)}"));
        }
    }

    private static string Us(TimeSpan t) => t.TotalMicroseconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Quote(string? text) =>
        text is null ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
