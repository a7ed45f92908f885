namespace IoMux.Cli.Compare;

/// <summary>How an HTTP comparison runs: the servers, the wrk workloads, how long and how many interleaved rounds.</summary>
internal sealed record HttpComparisonOptions(
    IReadOnlyList<ServerSpec> Servers,
    IReadOnlyList<HttpWorkload> Workloads,
    int Rounds,
    TimeSpan Duration,
    int ClientThreads,
    int BasePort)
{
    /// <summary>
    /// One wrk run per server and workload before the measured rounds. Kestrel and either transport keep tiering methods
    /// up (over a thousand) for the first 15-25 s under load, and that JIT time is the server's CPU: three 5 s runs per
    /// server bring the measured rounds close to the steady state.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where wrk and the servers run (<c>--pin</c>); null leaves both to the scheduler.</summary>
    public CpuPinning? Pinning { get; init; }
}

/// <summary>What an HTTP comparison measured: per run the requests, CPU and p99, and apart the two kinds of failure wrk counts.</summary>
internal sealed record HttpComparisonResult(
    HttpComparisonOptions Options,
    IReadOnlyList<ServerSpec> Servers,
    IReadOnlyDictionary<string, string> Skipped,
    IReadOnlyDictionary<(HttpWorkload, string), Measurement> Measurements,
    IReadOnlyDictionary<(HttpWorkload, string), (long SocketErrors, long Non2xx)> Failures,
    DateTimeOffset Started);

/// <summary>
/// The HTTP comparison: <see cref="ComparisonRounds"/> with wrk as the client, so the server's user and sys time per
/// request comes from /proc around each wrk run, and socket errors and non-2xx responses are counted apart.
/// </summary>
internal static class HttpComparisonRunner
{
    public static HttpComparisonResult Run(HttpComparisonOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.Now;
        var skipped = new Dictionary<string, string>();
        List<ServerProcess> running = ComparisonRounds.StartServers(options.Servers, options.BasePort, udp: false, options.Pinning, log, skipped);
        try
        {
            var failures = new Dictionary<(HttpWorkload, string), (long SocketErrors, long Non2xx)>();
            Dictionary<(HttpWorkload, string), Measurement> measurements = ComparisonRounds.Measure(
                running,
                options.Workloads,
                options.Rounds,
                options.Duration,
                options.Warmup,
                (server, workload, duration) => Wrk.Run(server.Port, workload, duration, options.ClientThreads, cancellationToken),
                result => new RunOutcome(result.Requests, result.Duration, result.P99Microseconds, result.SocketErrors + result.Non2xx, result.SocketErrorDetail ?? (result.Non2xx > 0 ? $"{result.Non2xx} non-2xx responses" : null)),
                (round, workload, server, result, used) =>
                {
                    (long socket, long status) = failures.GetValueOrDefault((workload, server.Spec.Name));
                    failures[(workload, server.Spec.Name)] = (socket + result.SocketErrors, status + result.Non2xx);
                    log.WriteLine(
                        $"round {round}/{options.Rounds} · {workload.Name} · {server.Spec.Name}: {result.RequestsPerSecond:N0} req/s, " +
                        $"{CpuPerMessage.Of(used, result.Requests).Describe("req")}, p99 {result.P99Microseconds:0} µs" +
                        $"{(result.SocketErrors > 0 ? $", {result.SocketErrorDetail}" : "")}{(result.Non2xx > 0 ? $", {result.Non2xx} NON-2XX" : "")}");
                },
                cancellationToken);
            return new HttpComparisonResult(options, [.. running.Select(s => s.Spec)], skipped, measurements, failures, started);
        }
        finally
        {
            ComparisonRounds.StopServers(running);
        }
    }
}
