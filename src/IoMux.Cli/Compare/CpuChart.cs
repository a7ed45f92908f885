namespace IoMux.Cli.Compare;

/// <summary>
/// A comparison's PNG: grouped bars, each workload a group, each server a bar of its CPU per message as a ratio to the
/// reference's (the median of the rounds' ratios, as in the tables), stacked as the figure splits: user time in the
/// server's colour below, system time in a paler shade above.
/// </summary>
internal static class CpuChart
{
    public static void Save<TWorkload>(
        IReadOnlyList<TWorkload> workloads,
        Func<TWorkload, string> label,
        IReadOnlyList<ServerSpec> servers,
        IReadOnlyDictionary<(TWorkload, string), Measurement> measurements,
        string subject,
        string unit,
        string path)
        where TWorkload : notnull
    {
        string reference = servers.First(s => s.IsReference).Name;
        var plot = new ScottPlot.Plot();
        // Twenty-five distinct hues: Category20 pairs each hue with its own pale shade, which here means system time.
        var palette = new ScottPlot.Palettes.Tsitsulin();
        int serverCount = servers.Count;
        double groupWidth = serverCount + 1.5;
        var bars = new List<ScottPlot.Bar>();
        for (int w = 0; w < workloads.Count; w++)
        {
            Measurement referenceRun = measurements[(workloads[w], reference)];
            for (int s = 0; s < serverCount; s++)
            {
                Measurement run = measurements[(workloads[w], servers[s].Name)];
                // The bar is as tall as the table's total ratio; its user part is the user share of the server's time.
                double total = CpuRatio.Between(run, referenceRun).Total;
                double user = total * run.Cpu.User / run.Cpu.Total;
                double position = (w * groupWidth) + s;
                bars.Add(new ScottPlot.Bar { Position = position, Value = user, FillColor = palette.GetColor(s) });
                bars.Add(new ScottPlot.Bar { Position = position, ValueBase = user, Value = total, FillColor = palette.GetColor(s).Lighten(0.55) });
            }
        }
        plot.Add.Bars(bars);
        for (int s = 0; s < serverCount; s++)
        {
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = servers[s].Name, FillColor = palette.GetColor(s) });
        }
        double[] ticks = [.. Enumerable.Range(0, workloads.Count).Select(w => (w * groupWidth) + ((serverCount - 1) / 2.0))];
        string[] labels = [.. workloads.Select(label)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, labels);
        plot.Add.HorizontalLine(1, color: ScottPlot.Colors.Black, pattern: ScottPlot.LinePattern.Dashed);
        plot.Axes.Margins(bottom: 0);
        plot.YLabel($"{subject} CPU per {unit} ÷ {reference}'s (lower is better)");
        plot.Title($"{char.ToUpperInvariant(subject[0])}{subject[1..]}s: CPU per {unit} relative to {reference} (solid: user, pale: system)");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 1400, 700);
    }
}
