using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace IoMux.Cli.Compare;

/// <summary>Renders a comparison as Markdown (tables of ratios to the C reference) and a PNG bar chart.</summary>
internal static class ComparisonReport
{
    /// <summary>The first lines of every comparison report: when and where it ran (and pinned how), and the command that reproduces it.</summary>
    public static void AppendRunAndCommand(StringBuilder md, DateTimeOffset started, string command, CpuPinning? pinning)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC{started:zzz} on {Machine()}.{(pinning is null ? "" : " " + pinning.Describe())}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`");
        md.AppendLine();
    }

    public static string Markdown(ComparisonResult result, string command)
    {
        var md = new StringBuilder();
        string reference = result.Servers.First(s => s.IsReference).Name;
        AppendRunAndCommand(md, result.Started, command, result.Options.Pinning);
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{result.Options.Rounds} interleaved rounds of {result.Options.Duration.TotalSeconds:0.#} s per server and workload " +
            $"(after a {ComparisonRounds.WarmupDuration.TotalSeconds:0.#} s warm-up each); client: `iomux bench` engine, {result.Options.ClientThreads} thread(s), every byte verified. " +
            $"{CpuColumns.Explanation(result.Options.Subject, "msg", "messages echoed", reference)} Per message, it stays meaningful when the client, not the {result.Options.Subject}, limits throughput.");
        md.AppendLine();
        foreach (Workload workload in result.Options.Workloads)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {workload.Name}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| server | msg/s | {CpuColumns.Header("msg", reference)} | p99 µs | errors |");
            md.AppendLine($"|---|--:|{CpuColumns.Alignment}|--:|--:|");
            Measurement referenceRun = result.Measurements[(workload, reference)];
            foreach (ServerSpec server in result.Servers)
            {
                Measurement m = result.Measurements[(workload, server.Name)];
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {server.Name} | {m.MessagesPerSecond:N0} | {CpuColumns.Cells(m, referenceRun)} | {m.P99Microseconds:N0} | {m.Errors} |");
            }
            md.AppendLine();
        }
        if (result.IdleBytesPerConnection.Count + result.IdleFailures.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### RSS per idle connection ({result.Options.IdleConnections:N0} idle connections)");
            md.AppendLine();
            md.AppendLine("| server | KiB per connection |");
            md.AppendLine("|---|--:|");
            foreach (ServerSpec server in result.Servers)
            {
                string figure = result.IdleBytesPerConnection.TryGetValue(server.Name, out double bytes)
                    ? (bytes / 1024).ToString("0.00", CultureInfo.InvariantCulture)
                    : "not measured: " + result.IdleFailures.GetValueOrDefault(server.Name, "no figure");
                md.AppendLine(CultureInfo.InvariantCulture, $"| {server.Name} | {figure} |");
            }
            md.AppendLine();
        }
        foreach ((string name, string reason) in result.Skipped)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {name} not measured: {reason}");
        }
        return md.ToString();
    }

    /// <summary>The CPU-per-message chart of <see cref="CpuChart"/>, one group per workload.</summary>
    public static void Chart(ComparisonResult result, string path) =>
        CpuChart.Save(result.Options.Workloads, w => w.Name, result.Servers, result.Measurements, result.Options.Subject, "message", path);

    public static string Machine()
    {
        string model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            ?? RuntimeInformation.ProcessArchitecture.ToString();
        string kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return $"{Environment.ProcessorCount} cores ({model}), Linux {kernel}, {RuntimeInformation.FrameworkDescription}";
    }
}
