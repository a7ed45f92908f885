namespace IoMux.Cli.Compare;

/// <summary>What one measured run reports to its <see cref="Measurement"/>, whichever load generator drove it.</summary>
internal readonly record struct RunOutcome(long Messages, TimeSpan Duration, double P99Microseconds, long Errors, string? FirstError);

/// <summary>
/// The shape every comparison shares: start every server once, warm each up on every workload, then run each
/// workload against each server in turn, round after round (A B C … A B C …) so that drift on a shared machine
/// hits all of them alike. The server's user and sys time come from /proc/PID/stat around each run.
/// </summary>
internal static class ComparisonRounds
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan WarmupDuration = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Starts the servers on consecutive ports, each moved onto the pinning's server CPUs when there is one; one that
    /// fails to start is skipped with its reason, unless it is the reference.
    /// </summary>
    public static List<ServerProcess> StartServers(IReadOnlyList<ServerSpec> servers, int basePort, bool udp, CpuPinning? pinning, TextWriter log, IDictionary<string, string> skipped)
    {
        var running = new List<ServerProcess>();
        try
        {
            for (int i = 0; i < servers.Count; i++)
            {
                ServerSpec spec = servers[i];
                try
                {
                    running.Add(ServerProcess.Start(spec, basePort + i, ReadyTimeout, udp));
                    log.WriteLine($"started {spec.Name} on {(udp ? "UDP " : "")}port {basePort + i}");
                    if (pinning is not null)
                    {
                        int threads = CpuPinning.PinProcessTree(running[^1].Pid, pinning.Servers);
                        log.WriteLine($"pinned {spec.Name}: {threads} thread(s) on {CpuPinning.Cpus(pinning.Servers)}");
                    }
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
            return running;
        }
        catch
        {
            StopServers(running);
            throw;
        }
    }

    public static void StopServers(IEnumerable<ServerProcess> running)
    {
        foreach (ServerProcess server in running)
        {
            server.Dispose();
        }
    }

    /// <summary>
    /// Warms up for <paramref name="warmup"/> per server and workload, then measures every workload on every server for
    /// <paramref name="rounds"/> rounds of <paramref name="duration"/>.
    /// <paramref name="load"/> drives one run for the given time; <paramref name="measured"/> hears of each
    /// measured run with the server's CPU over it, for the progress log and anything the caller adds up itself.
    /// </summary>
    public static Dictionary<(TWorkload, string), Measurement> Measure<TWorkload, T>(
        IReadOnlyList<ServerProcess> running,
        IReadOnlyList<TWorkload> workloads,
        int rounds,
        TimeSpan duration,
        TimeSpan warmup,
        Func<ServerProcess, TWorkload, TimeSpan, T> load,
        Func<T, RunOutcome> outcome,
        Action<int, TWorkload, ServerProcess, T, ProcessUsage> measured,
        CancellationToken cancellationToken)
        where TWorkload : notnull
    {
        foreach (ServerProcess server in running)
        {
            foreach (TWorkload workload in workloads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                load(server, workload, warmup);
            }
        }
        var measurements = new Dictionary<(TWorkload, string), Measurement>();
        for (int round = 1; round <= rounds; round++)
        {
            foreach (TWorkload workload in workloads)
            {
                foreach (ServerProcess server in running)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    (TWorkload, string) key = (workload, server.Spec.Name);
                    Measurement m = measurements.TryGetValue(key, out Measurement? existing) ? existing : measurements[key] = new Measurement();
                    ProcessUsage before = server.Usage();
                    T result = load(server, workload, duration);
                    ProcessUsage used = server.Usage() - before;
                    RunOutcome run = outcome(result);
                    m.Add(run.Messages, run.Duration, used, run.P99Microseconds, run.Errors, run.FirstError);
                    measured(round, workload, server, result, used);
                }
            }
        }
        return measurements;
    }
}
