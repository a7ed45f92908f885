using ScottPlot;

namespace IoMux.Cli.Scaling;

/// <summary>
/// The log-log picture: one panel per active count K, one line per backend and trigger (colour: backend,
/// line pattern: trigger), x = registered pairs N, y = median wall time of one chain.
/// </summary>
internal static class ScaleChart
{
    public const int Width = 1400;
    public const int Height = 620;

    public static void SavePng(ScaleReport report, string path, string caption)
    {
        ArgumentNullException.ThrowIfNull(report);
        int[] actives = [.. report.Rows.Select(r => r.Active).Distinct().Order()];
        var multiplot = new Multiplot();
        multiplot.AddPlots(actives.Length);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        // Every panel gets the same whole-decade limits, so the panels compare at a glance and each has ticks.
        ScaleRow[] ran = [.. report.Rows.Where(r => r.Ran)];
        AxisLimits limits = ran.Length == 0 ? new AxisLimits(1, 2, 1, 2) : new AxisLimits(
            Math.Log10(ran.Min(r => r.Pairs)) - 0.1,
            Math.Log10(ran.Max(r => r.Pairs)) + 0.1,
            Math.Floor(Math.Log10(ran.Min(r => r.Median.TotalMicroseconds))),
            Math.Ceiling(Math.Log10(ran.Max(r => r.Median.TotalMicroseconds))));
        for (int i = 0; i < actives.Length; i++)
        {
            Plot plot = multiplot.GetPlot(i);
            Draw(plot, report, actives[i], caption);
            plot.Axes.SetLimits(limits);
        }
        multiplot.SavePng(path, Width * actives.Length / 2, Height);
    }

    private static void Draw(Plot plot, ScaleReport report, int active, string caption)
    {
        var series = report.Rows
            .Where(r => r.Active == active && r.Ran)
            .GroupBy(r => (r.Backend, r.Trigger))
            .OrderBy(g => g.Key.Backend)
            .ThenBy(g => g.Key.Trigger);
        foreach (var group in series)
        {
            ScaleRow[] points = [.. group.OrderBy(r => r.Pairs)];
            double[] xs = [.. points.Select(r => Math.Log10(r.Pairs))];
            double[] ys = [.. points.Select(r => Math.Log10(r.Median.TotalMicroseconds))];
            var line = plot.Add.Scatter(xs, ys, ColorOf(group.Key.Backend));
            line.LegendText = $"{points[0].BackendName} {points[0].TriggerName}";
            line.LinePattern = PatternOf(group.Key.Trigger);
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        int writes = report.Rows.Count > 0 ? report.Rows[0].Writes : 0;
        plot.Title($"K={active} active, {writes} hand-offs per chain\n{caption}");
        plot.XLabel("registered socketpairs N (log)");
        plot.YLabel("median wall time per chain, µs (log)");
        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => Math.Pow(10, v).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static Color ColorOf(SelectorBackend backend) => backend switch
    {
        SelectorBackend.Epoll => Colors.SeaGreen,
        SelectorBackend.Poll => Colors.DarkOrange,
        SelectorBackend.IoUring => Colors.MediumPurple,
        _ => Colors.SteelBlue,
    };

    private static LinePattern PatternOf(Trigger trigger) => trigger switch
    {
        Trigger.Level => LinePattern.Solid,
        Trigger.Edge => LinePattern.Dashed,
        _ => LinePattern.Dotted,
    };
}
