using IoMux.Cli.LoadGen;
using IoMux.Native;

namespace IoMux.Cli.Compare;

/// <summary>How a comparison runs: who, which workloads, how long, how many interleaved rounds.</summary>
internal sealed record ComparisonOptions(
    IReadOnlyList<ServerSpec> Servers,
    IReadOnlyList<Workload> Workloads,
    int Rounds,
    TimeSpan Duration,
    int ClientThreads,
    int IdleConnections,
    int BasePort,
    string Subject = "echo server");

/// <summary>Everything a comparison measured, ready to be reported.</summary>
internal sealed record ComparisonResult(
    ComparisonOptions Options,
    IReadOnlyList<ServerSpec> Servers,
    IReadOnlyDictionary<string, string> Skipped,
    IReadOnlyDictionary<(Workload, string), Measurement> Measurements,
    IReadOnlyDictionary<string, double> IdleBytesPerConnection,
    IReadOnlyDictionary<string, string> IdleFailures,
    DateTimeOffset Started);

/// <summary>
/// Starts every server once, then runs each workload against each server in turn, round after
/// round (A B C … A B C …) so that drift on a shared machine hits all of them alike. Server CPU
/// time comes from /proc/PID/stat around each run.
/// </summary>
internal static class ComparisonRunner
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WarmupDuration = TimeSpan.FromMilliseconds(500);

    public static ComparisonResult Run(ComparisonOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        // Thousands of idle client sockets live in this process during the memory probe.
        DescriptorLimit.RaiseToHard();
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
                    running.Add(ServerProcess.Start(spec, options.BasePort + i, ReadyTimeout));
                    log.WriteLine($"started {spec.Name} on port {options.BasePort + i}");
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
            for (int round = 1; round <= options.Rounds; round++)
            {
                foreach (Workload workload in options.Workloads)
                {
                    foreach (ServerProcess server in running)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Measurement m = measurements.TryGetValue((workload, server.Spec.Name), out Measurement? existing)
                            ? existing
                            : measurements[(workload, server.Spec.Name)] = new Measurement();
                        ProcessUsage before = server.Usage();
                        LoadResult result = Load(server, workload, options.Duration, options.ClientThreads, cancellationToken);
                        ProcessUsage after = server.Usage();
                        TimeSpan cpu = after.CpuTime - before.CpuTime;
                        m.Add(result.Messages, result.Duration, cpu, result.Latency.P99, result.Errors, result.ErrorMessages.Count > 0 ? result.ErrorMessages[0] : null);
                        log.WriteLine(
                            $"round {round}/{options.Rounds} · {workload.Name} · {server.Spec.Name}: " +
                            $"{result.MessagesPerSecond:N0} msg/s, {cpu.TotalMicroseconds / Math.Max(1, result.Messages):0.00} µs CPU/msg, " +
                            $"p99 {result.Latency.P99:0} µs{(result.Errors > 0 ? $", {result.Errors} ERRORS" : "")}");
                    }
                }
            }

            var idle = new Dictionary<string, double>();
            var idleFailures = new Dictionary<string, string>();
            if (options.IdleConnections > 0)
            {
                foreach (ServerProcess server in running)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        double perConnection = IdleMemoryProbe.BytesPerConnection(server, options.IdleConnections);
                        idle[server.Spec.Name] = perConnection;
                        log.WriteLine($"idle · {server.Spec.Name}: {perConnection / 1024:0.00} KiB RSS per idle connection ({options.IdleConnections} connections)");
                    }
                    catch (InvalidOperationException e)
                    {
                        // One server's ceiling must not cost the whole run's figures.
                        idleFailures[server.Spec.Name] = e.Message;
                        log.WriteLine($"idle · {server.Spec.Name}: not measured: {e.Message}");
                    }
                }
            }

            return new ComparisonResult(options, [.. running.Select(s => s.Spec)], skipped, measurements, idle, idleFailures, started);
        }
        finally
        {
            foreach (ServerProcess server in running)
            {
                server.Dispose();
            }
        }
    }

    private static LoadResult Load(ServerProcess server, Workload workload, TimeSpan duration, int threads, CancellationToken cancellationToken) =>
        LoadGenerator.Run(
            new LoadOptions
            {
                Host = "127.0.0.1",
                Port = server.Port,
                Connections = workload.Connections,
                Size = workload.Size,
                Depth = workload.Depth,
                Duration = duration,
                Warmup = TimeSpan.Zero,
                Threads = Math.Min(threads, workload.Connections),
            },
            progress: null,
            cancellationToken);
}
