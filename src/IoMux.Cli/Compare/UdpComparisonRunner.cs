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
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarmupDuration = TimeSpan.FromMilliseconds(500);

    public static UdpComparisonResult Run(ComparisonOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.Now;
        var skipped = new Dictionary<string, string>();
        var running = new List<ServerProcess>();
        try
        {
            for (int i = 0; i < options.Servers.Count; i++)
            {
                ServerSpec spec = options.Servers[i];
                try
                {
                    running.Add(ServerProcess.Start(spec, options.BasePort + i, ReadyTimeout, udp: true));
                    log.WriteLine($"started {spec.Name} on UDP port {options.BasePort + i}");
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
                {
                    if (spec.IsReference)
                    {
                        throw new UsageException($"the reference server {spec.Name} did not start ({e.Message}); run bench/setup-peers.sh");
                    }
                    skipped[spec.Name] = e.Message;
                    log.WriteLine($"skipped {spec.Name}: {e.Message}");
                }
            }
            foreach (ServerProcess server in running)
            {
                foreach (Workload workload in options.Workloads)
                {
                    Load(server, workload, WarmupDuration, options.ClientThreads, cancellationToken);
                }
            }
            var measurements = new Dictionary<(Workload, string), Measurement>();
            var loss = new Dictionary<(Workload, string), (long Sent, long Lost)>();
            for (int round = 1; round <= options.Rounds; round++)
            {
                foreach (Workload workload in options.Workloads)
                {
                    foreach (ServerProcess server in running)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        (Workload, string) key = (workload, server.Spec.Name);
                        Measurement m = measurements.TryGetValue(key, out Measurement? existing) ? existing : measurements[key] = new Measurement();
                        ProcessUsage before = server.Usage();
                        UdpLoadResult result = Load(server, workload, options.Duration, options.ClientThreads, cancellationToken);
                        ProcessUsage after = server.Usage();
                        TimeSpan cpu = after.CpuTime - before.CpuTime;
                        // Corruption is the error; loss is UDP's right, reported in its own column.
                        m.Add(result.Received, result.Duration, cpu, result.Latency.P99, result.Corrupt, result.Corrupt > 0 ? $"{result.Corrupt} corrupt answers" : null);
                        (long sent, long lost) = loss.GetValueOrDefault(key);
                        loss[key] = (sent + result.Sent, lost + result.Lost);
                        log.WriteLine(
                            $"round {round}/{options.Rounds} · {workload.Name} · {server.Spec.Name}: {result.DatagramsPerSecond:N0} datagrams/s, " +
                            $"{cpu.TotalMicroseconds / Math.Max(1, result.Received):0.00} µs CPU/datagram, p99 {result.Latency.P99:0} µs, lost {result.LossPercent:0.###} %" +
                            $"{(result.Corrupt > 0 ? $", {result.Corrupt} CORRUPT" : "")}");
                    }
                }
            }
            var comparison = new ComparisonResult(options, [.. running.Select(s => s.Spec)], skipped, measurements, new Dictionary<string, double>(), new Dictionary<string, string>(), started);
            return new UdpComparisonResult(comparison, loss);
        }
        finally
        {
            foreach (ServerProcess server in running)
            {
                server.Dispose();
            }
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
