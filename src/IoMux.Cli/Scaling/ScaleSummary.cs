using System.Globalization;

namespace IoMux.Cli.Scaling;

/// <summary>
/// The sentence a reader wants from the grid: for each K, each level-triggered backend at the smallest
/// and largest N it ran, how much it grew, and how it compares with epoll at the largest N.
/// </summary>
internal static class ScaleSummary
{
    public static IReadOnlyList<string> Lines(ScaleReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = new List<string>();
        foreach (int k in report.Rows.Select(r => r.Active).Distinct().Order())
        {
            ScaleRow[] level = [.. report.Rows.Where(r => r.Active == k && r.Trigger == Trigger.Level && r.Ran)];
            ScaleRow? epollLargest = Largest(level, SelectorBackend.Epoll);
            foreach (SelectorBackend backend in level.Select(r => r.Backend).Distinct())
            {
                ScaleRow smallest = level.Where(r => r.Backend == backend).MinBy(r => r.Pairs)!;
                ScaleRow largest = Largest(level, backend)!;
                if (largest.Pairs == smallest.Pairs)
                {
                    lines.Add($"K={k} {smallest.BackendName,-6} level: only N={smallest.Pairs} ran, {Durations.Format(smallest.Median)} per chain");
                    continue;
                }
                string growth = string.Create(CultureInfo.InvariantCulture,
                    $"K={k} {smallest.BackendName,-6} level: N={smallest.Pairs} {Durations.Format(smallest.Median)} -> N={largest.Pairs} {Durations.Format(largest.Median)} per chain ({Ratio(largest.Median, smallest.Median)} for {Ratio(largest.Pairs, smallest.Pairs)} the pairs)");
                if (backend != SelectorBackend.Epoll && epollLargest is not null && epollLargest.Pairs == largest.Pairs)
                {
                    growth += $"; {Ratio(largest.Median, epollLargest.Median)} epoll at N={largest.Pairs}";
                }
                lines.Add(growth);
            }
        }
        return lines;
    }

    private static ScaleRow? Largest(IEnumerable<ScaleRow> rows, SelectorBackend backend) =>
        rows.Where(r => r.Backend == backend).MaxBy(r => r.Pairs);

    private static string Ratio(TimeSpan a, TimeSpan b) => Ratio(a.Ticks, (double)b.Ticks);

    private static string Ratio(double a, double b) =>
        (a / b).ToString(a / b >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture) + "x";
}
