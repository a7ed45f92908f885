using System.Globalization;
using System.Text;

namespace IoMux.Cli.Compare;

/// <summary>An HTTP comparison as Markdown (per workload: requests/s, CPU per request split, p99, errors, ratios to Kestrel's Sockets default) and a chart.</summary>
internal static class HttpComparisonReport
{
    /// <summary>The bar IoMux's transports are held to on /plaintext and /json at 50 connections (issue 13).</summary>
    public const double CpuTarget = 0.8;

    public static string Markdown(HttpComparisonResult result, string command)
    {
        var md = new StringBuilder();
        string reference = result.Servers.First(s => s.IsReference).Name;
        ComparisonReport.AppendRunAndCommand(md, result.Started, command, result.Options.Pinning);
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{result.Options.Rounds} interleaved rounds of {result.Options.Duration.TotalSeconds:0.#} s per server and workload (after a warm-up run each); " +
            $"client: `wrk -t{result.Options.ClientThreads} --latency`, keep-alive connections, on the same machine. " +
            $"{CpuColumns.Explanation("HTTP server", "req", "requests completed", reference)} " +
            $"**p99** is the median over rounds of wrk's 99th percentile. **socket errors** (connect, read, write, timeout) and **non-2xx** " +
            $"(wrk counts status 400 and above) must both be 0; a run with either fails.");
        md.AppendLine();
        foreach (HttpWorkload workload in result.Options.Workloads)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {workload.Name}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| server | req/s | req/s vs {reference} | {CpuColumns.Header("req", reference)} | p99 µs | p99 vs {reference} | socket errors | non-2xx |");
            md.AppendLine($"|---|--:|--:|{CpuColumns.Alignment}|--:|--:|--:|--:|");
            Measurement referenceRun = result.Measurements[(workload, reference)];
            foreach (ServerSpec server in result.Servers)
            {
                Measurement m = result.Measurements[(workload, server.Name)];
                (long socket, long status) = result.Failures.GetValueOrDefault((workload, server.Name));
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {server.Name} | {m.MessagesPerSecond:N0} | {m.MessagesPerSecond / referenceRun.MessagesPerSecond:0.00}× | {CpuColumns.Cells(m, referenceRun)} | " +
                    $"{m.P99Microseconds:N0} | {m.P99Microseconds / referenceRun.P99Microseconds:0.00}× | {socket} | {status} |");
            }
            md.AppendLine();
        }
        AppendTarget(md, result, reference);
        foreach ((string name, string reason) in result.Skipped)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {name} not measured: {reason}");
        }
        long failed = result.Failures.Values.Sum(f => f.SocketErrors + f.Non2xx);
        if (failed > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"**This run failed: {failed} socket errors and non-2xx responses** (see the tables); its figures do not count.");
        }
        return md.ToString();
    }

    public static void Chart(HttpComparisonResult result, string path) =>
        CpuChart.Save(result.Options.Workloads, w => w.IsPost ? $"POST {w.Path} 16 KiB ×{w.Connections}" : $"{w.Path} ×{w.Connections}", result.Servers, result.Measurements, "HTTP server", "request", path);

    // Each IoMux transport against the target: CPU per request at most 0.8× the reference's on /plaintext and /json at
    // 50 connections, p99 no worse, no errors. Said whichever way it comes out.
    private static void AppendTarget(StringBuilder md, HttpComparisonResult result, string reference)
    {
        HttpWorkload[] judged = [.. result.Options.Workloads.Where(w => w.Endpoint is "plaintext" or "json" && w.Connections == 50)];
        ServerSpec[] candidates = [.. result.Servers.Where(s => s.Name.StartsWith("iomux", StringComparison.Ordinal))];
        if (judged.Length == 0 || candidates.Length == 0)
        {
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"### Target: CPU/req ≤ {CpuTarget:0.0}× {reference}, p99 no worse, zero errors");
        md.AppendLine();
        md.AppendLine("| server | workload | CPU/req vs ref | p99 vs ref | errors | met |");
        md.AppendLine("|---|---|--:|--:|--:|---|");
        foreach (ServerSpec server in candidates)
        {
            foreach (HttpWorkload workload in judged)
            {
                Measurement m = result.Measurements[(workload, server.Name)];
                Measurement r = result.Measurements[(workload, reference)];
                double cpu = CpuRatio.Between(m, r).Total;
                double p99 = m.P99Microseconds / r.P99Microseconds;
                bool met = cpu <= CpuTarget && p99 <= 1 && m.Errors == 0;
                md.AppendLine(CultureInfo.InvariantCulture, $"| {server.Name} | {workload.Name} | {cpu:0.00}× | {p99:0.00}× | {m.Errors} | {(met ? "yes" : "no")} |");
            }
        }
        md.AppendLine();
    }
}
