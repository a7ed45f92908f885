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
    string Subject = "echo server")
{
    /// <summary>Where the load generator and the servers run (<c>--pin</c>); null leaves both to the scheduler.</summary>
    public CpuPinning? Pinning { get; init; }
}

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
/// The TCP echo comparison: <see cref="ComparisonRounds"/> driven by the verifying TCP load generator, then the
/// RSS-per-idle-connection probe on every server.
/// </summary>
internal static class ComparisonRunner
{
    public static ComparisonResult Run(ComparisonOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        // Thousands of idle client sockets live in this process during the memory probe.
        DescriptorLimit.RaiseToHard();
        DateTimeOffset started = DateTimeOffset.Now;
        var skipped = new Dictionary<string, string>();
        List<ServerProcess> running = ComparisonRounds.StartServers(options.Servers, options.BasePort, udp: false, options.Pinning, log, skipped);
        try
        {
            Dictionary<(Workload, string), Measurement> measurements = ComparisonRounds.Measure(
                running,
                options.Workloads,
                options.Rounds,
                options.Duration,
                ComparisonRounds.WarmupDuration,
                (server, workload, duration) => Load(server, workload, duration, options.ClientThreads, cancellationToken),
                result => new RunOutcome(result.Messages, result.Duration, result.Latency.P99, result.Errors, result.ErrorMessages.Count > 0 ? result.ErrorMessages[0] : null),
                (round, workload, server, result, used) => log.WriteLine(
                    $"round {round}/{options.Rounds} · {workload.Name} · {server.Spec.Name}: " +
                    $"{result.MessagesPerSecond:N0} msg/s, {CpuPerMessage.Of(used, result.Messages).Describe("msg")}, " +
                    $"p99 {result.Latency.P99:0} µs{(result.Errors > 0 ? $", {result.Errors} ERRORS" : "")}"),
                cancellationToken);

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
            ComparisonRounds.StopServers(running);
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
