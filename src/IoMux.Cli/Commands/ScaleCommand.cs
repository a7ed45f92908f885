using System.CommandLine;
using System.Globalization;
using IoMux.Cli.Scaling;
using Spectre.Console;

namespace IoMux.Cli.Commands;

/// <summary><c>iomux scale</c>: the select/poll/epoll curve. Parses options, runs <see cref="ScaleHarness"/>, prints and saves.</summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Registered socketpair counts N, comma-separated (capped by the descriptor limit)", DefaultValueFactory = _ => string.Join(',', ScaleSettings.DefaultSizes) };
        var active = new Option<string>("--active") { Description = "Tokens in flight K, comma-separated", DefaultValueFactory = _ => string.Join(',', ScaleSettings.DefaultActives) };
        var runs = new Option<int>("--runs") { Description = "Timed chains per cell (the median is reported), after one warm-up", DefaultValueFactory = _ => ScaleSettings.DefaultRuns };
        var writes = new Option<int>("--writes") { Description = "Hand-offs per chain", DefaultValueFactory = _ => ScaleSettings.DefaultWrites };
        var backends = new Option<string>("--backends") { Description = "epoll, poll, select, iouring (comma-separated; iouring where the kernel allows it)", DefaultValueFactory = _ => string.Join(',', ScaleSettings.AllBackends.Select(b => b.ToString().ToLowerInvariant())) };
        var triggers = new Option<string>("--triggers") { Description = "level, edge, oneshot (comma-separated; each backend runs those it supports)", DefaultValueFactory = _ => "level,edge,oneshot" };
        var outDir = new Option<string>("--out") { Description = "Directory for scale.csv and scale.png", DefaultValueFactory = _ => "." };
        var csv = new Option<string?>("--csv") { Description = "CSV path (default: OUT/scale.csv)" };
        var png = new Option<string?>("--png") { Description = "PNG chart path (default: OUT/scale.png)" };

        var command = new Command("scale", "Time a chain of wake-ups over N registered socketpairs on every backend and trigger: the select/poll/epoll curve")
        {
            sizes, active, runs, writes, backends, triggers, outDir, csv, png,
        };
        command.SetAction(parse =>
        {
            ScaleSettings settings;
            try
            {
                settings = new ScaleSettings(
                    ScaleArguments.Integers(parse.GetValue(sizes)!, "--sizes"),
                    ScaleArguments.Integers(parse.GetValue(active)!, "--active"),
                    parse.GetValue(runs),
                    parse.GetValue(writes),
                    ScaleArguments.Backends(parse.GetValue(backends)!),
                    ScaleArguments.Triggers(parse.GetValue(triggers)!));
                settings.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            string dir = parse.GetValue(outDir)!;
            string csvPath = OutputPath(parse.GetValue(csv), dir, "scale.csv", "--csv");
            string pngPath = OutputPath(parse.GetValue(png), dir, "scale.png", "--png");

            Console.Error.WriteLine("iomux scale: timing one chain per cell after a warm-up; progress below");
            ScaleReport report = ScaleHarness.Run(settings, row =>
            {
                if (row.Ran)
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.BackendName,-6} {row.TriggerName,-7} N={row.Pairs,-6} K={row.Active,-4} {Durations.Format(row.Median)}"));
                }
            });
            Print(report);
            using (var writer = new StreamWriter(csvPath))
            {
                ScaleCsv.Write(report, writer);
            }
            if (report.Rows.Any(r => r.Ran))
            {
                ScaleChart.SavePng(report, pngPath, Caption());
                Console.WriteLine($"wrote {csvPath} and {pngPath}");
            }
            else
            {
                Console.WriteLine($"wrote {csvPath}; no cell ran, so there is no chart");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Checked before the experiment starts, so a typo does not cost a minute of measuring.</summary>
    private static string OutputPath(string? explicitPath, string dir, string fileName, string option)
    {
        string path = explicitPath ?? Path.Combine(dir, fileName);
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new UsageException(explicitPath is null
                ? $"--out: directory '{dir}' does not exist; create it or pass another"
                : $"{option}: directory '{parent}' does not exist; create it or pass another path");
        }
        return path;
    }

    private static string Caption() =>
        $"{DateTime.UtcNow:yyyy-MM-dd} UTC, Linux {KernelRelease()}, {Environment.ProcessorCount} cores";

    /// <summary>What <c>uname -r</c> prints (Environment.OSVersion drops the suffix).</summary>
    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    }

    private static void Print(ScaleReport report)
    {
        Console.WriteLine($"descriptor limit: {report.FdLimit} (was {report.FdLimitBefore}); N = {string.Join(", ", report.Sizes)}");
        foreach (string note in report.Notes)
        {
            Console.WriteLine($"note: {note}");
        }
        foreach (int k in report.Rows.Select(r => r.Active).Distinct().Order())
        {
            ScaleRow[] rows = [.. report.Rows.Where(r => r.Active == k)];
            int writes = rows[0].Writes;
            var table = new Table().Border(TableBorder.Simple)
                .Title($"K={k}: median wall time per chain of {writes} hand-offs");
            table.AddColumn("backend");
            table.AddColumn("trigger");
            foreach (int n in report.Sizes)
            {
                table.AddColumn(new TableColumn($"N={n}").RightAligned());
            }
            foreach (var series in rows.GroupBy(r => (r.Backend, r.Trigger)))
            {
                var cells = new List<string> { series.First().BackendName, series.First().TriggerName };
                cells.AddRange(report.Sizes.Select(n => series.FirstOrDefault(r => r.Pairs == n) is { Ran: true } row ? Durations.Format(row.Median) : "skipped"));
                table.AddRow([.. cells.Select(Markup.Escape)]);
            }
            AnsiConsole.Write(table);
        }
        foreach (string reason in report.Rows.Where(r => !r.Ran).Select(r => r.Skipped!).Distinct())
        {
            Console.WriteLine(reason);
        }
        foreach (string line in ScaleSummary.Lines(report))
        {
            Console.WriteLine(line);
        }
    }
}
