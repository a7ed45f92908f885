using IoMux.Cli.UdpLoad;

namespace IoMux.Cli.Compare;

/// <summary>What a UDP comparison measured: the common result, and per run how many datagrams were sent and lost.</summary>
internal sealed record UdpComparisonResult(ComparisonResult Result, IReadOnlyDictionary<(Workload, string), (long Sent, long Lost)> Loss);

/// <summary>
/// The UDP comparison: every server started once, then each workload against each server in turn, round after
/// round, driven by the verifying UDP load generator (closed loop, the workload's depth as the window). Server CPU
/// per answered datagram comes from /proc/PID/stat around each run; loss is reported beside it.
/// </summary>
internal static class UdpComparisonRunner
{
    public static UdpComparisonResult Run(ComparisonOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.Now;
        var skipped = new Dictionary<string, string>();
        List<ServerProcess> running = ComparisonRounds.StartServers(options.Servers, options.BasePort, udp: true, options.Pinning, log, skipped);
        try
        {
            var loss = new Dictionary<(Workload, string), (long Sent, long Lost)>();
            Dictionary<(Workload, string), Measurement> measurements = ComparisonRounds.Measure(
                running,
                options.Workloads,
                options.Rounds,
                options.Duration,
                ComparisonRounds.WarmupDuration,
                (server, workload, duration) => Load(server, workload, duration, options.ClientThreads, cancellationToken),
                // Corruption is the error; loss is UDP's right, reported in its own column.
                result => new RunOutcome(result.Received, result.Duration, result.Latency.P99, result.Corrupt, result.Corrupt > 0 ? $"{result.Corrupt} corrupt answers" : null),
                (round, workload, server, result, used) =>
                {
                    (long sent, long lost) = loss.GetValueOrDefault((workload, server.Spec.Name));
                    loss[(workload, server.Spec.Name)] = (sent + result.Sent, lost + result.Lost);
                    log.WriteLine(
                        $"round {round}/{options.Rounds} · {workload.Name} · {server.Spec.Name}: {result.DatagramsPerSecond:N0} datagrams/s, " +
                        $"{CpuPerMessage.Of(used, result.Received).Describe("datagram")}, p99 {result.Latency.P99:0} µs, lost {result.LossPercent:0.###} %" +
                        $"{(result.Corrupt > 0 ? $", {result.Corrupt} CORRUPT" : "")}");
                },
                cancellationToken);
            var comparison = new ComparisonResult(options, [.. running.Select(s => s.Spec)], skipped, measurements, new Dictionary<string, double>(), new Dictionary<string, string>(), started);
            return new UdpComparisonResult(comparison, loss);
        }
        finally
        {
            ComparisonRounds.StopServers(running);
        }
    }

    private static UdpLoadResult Load(ServerProcess server, Workload workload, TimeSpan duration, int threads, CancellationToken cancellationToken) =>
        UdpLoadGenerator.Run(
            new UdpLoadOptions
            {
                Host = "127.0.0.1",
                Port = server.Port,
                Clients = workload.Connections,
                Size = workload.Size,
                Window = workload.Depth,
                Duration = duration,
                Warmup = TimeSpan.Zero,
                LossTimeout = TimeSpan.FromMilliseconds(500),
                Threads = Math.Min(threads, workload.Connections),
            },
            cancellationToken);
}
