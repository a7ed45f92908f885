using System.Globalization;
using System.Text;

namespace IoMux.Cli.Compare;

/// <summary>A UDP comparison as Markdown: per workload, CPU per answered datagram as a ratio to the batched C reference, and loss.</summary>
internal static class UdpComparisonReport
{
    public static string Markdown(UdpComparisonResult udp, string command)
    {
        ComparisonResult result = udp.Result;
        var md = new StringBuilder();
        string reference = result.Servers.First(s => s.IsReference).Name;
        ComparisonReport.AppendRunAndCommand(md, result.Started, command, result.Options.Pinning);
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{result.Options.Rounds} interleaved rounds of {result.Options.Duration.TotalSeconds:0.#} s per server and workload (after a {ComparisonRounds.WarmupDuration.TotalSeconds:0.#} s warm-up each); " +
            $"client: `iomux bench --udp` engine, {result.Options.ClientThreads} thread(s), closed loop with the depth as each client's window, every datagram checked. " +
            $"{CpuColumns.Explanation("server", "datagram", "datagrams answered", reference)} **lost** counts datagrams unanswered within 0.5 s.");
        md.AppendLine();
        foreach (Workload workload in result.Options.Workloads)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {workload.Connections} clients × {workload.Size} B, window {workload.Depth}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| server | datagrams/s | {CpuColumns.Header("datagram", reference)} | p99 µs | lost | corrupt |");
            md.AppendLine($"|---|--:|{CpuColumns.Alignment}|--:|--:|--:|");
            Measurement referenceRun = result.Measurements[(workload, reference)];
            foreach (ServerSpec server in result.Servers)
            {
                Measurement m = result.Measurements[(workload, server.Name)];
                (long sent, long lost) = udp.Loss.GetValueOrDefault((workload, server.Name));
                double lossPercent = sent == 0 ? 0 : 100.0 * lost / sent;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {server.Name} | {m.MessagesPerSecond:N0} | {CpuColumns.Cells(m, referenceRun)} | {m.P99Microseconds:N0} | {lossPercent:0.###} % | {m.Errors} |");
            }
            md.AppendLine();
        }
        foreach ((string name, string reason) in result.Skipped)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {name} not measured: {reason}");
        }
        return md.ToString();
    }
}
