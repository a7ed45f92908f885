using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;
using IoMux.Native;

namespace IoMux.Cli.LoadGen;

/// <summary>
/// The echo load generator behind <c>iomux bench</c> (and, in-process, <c>iomux compare</c>): holds
/// <see cref="LoadOptions.Connections"/> connections to an echo server, keeps <see cref="LoadOptions.Depth"/>
/// messages in flight on each (closed loop), verifies every byte that comes back, and measures each
/// message's round trip. One epoll loop per thread, edge-triggered, on IoMux's own <see cref="Selector"/>.
/// </summary>
public static class LoadGenerator
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs one load test and returns what it measured. Throws <see cref="ArgumentException"/> for invalid
    /// options and <see cref="LoadGeneratorException"/> when the run cannot start (host, connect, descriptor
    /// limit). Errors during the run do not throw: they are counted in the result.
    /// Cancelling ends the measurement early; what was measured until then is returned.
    /// </summary>
    public static LoadResult Run(LoadOptions options, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
        EndPoint endpoint = options.IsUnix ? UnixEndPoint(options.Host) : Resolve(options.Host, options.Port);
        EnsureDescriptors(options.Connections);

        var pattern = new MessagePattern(options.Size);
        var clock = new RunClock(options.DrainTimeout);
        var errors = new ErrorLog();
        var workers = new LoadWorker[options.Threads];
        var threads = new Thread[options.Threads];
        var failures = new Exception?[options.Threads];
        using var connected = new CountdownEvent(options.Threads);
        using var go = new ManualResetEventSlim();
        bool abort = false;
        long connectDeadline = Stopwatch.GetTimestamp() + RunClock.ToTicks(options.ConnectTimeout);
        try
        {
            for (int t = 0; t < options.Threads; t++)
            {
                workers[t] = new LoadWorker(clock, errors, options.Depth);
            }
            for (int t = 0; t < options.Threads; t++)
            {
                int index = t;
                int[] ids = Enumerable.Range(0, options.Connections).Where(id => id % options.Threads == index).ToArray();
                threads[t] = new Thread(() =>
                {
                    bool signalled = false;
                    try
                    {
                        workers[index].Connect(endpoint, ids, pattern, connectDeadline);
                        signalled = true;
                        connected.Signal();
                        go.Wait(CancellationToken.None);
                        if (!Volatile.Read(ref abort))
                        {
                            workers[index].Run();
                        }
                    }
                    catch (Exception e) when (e is LoadGeneratorException or SyscallException)
                    {
                        failures[index] = e;
                        if (!signalled)
                        {
                            connected.Signal();
                        }
                    }
                })
                { Name = $"iomux-bench-{index}", IsBackground = true };
                threads[t].Start();
            }

            while (!connected.Wait(ProgressInterval, CancellationToken.None))
            {
                progress?.Report(Snapshot(LoadPhase.Connecting, workers, options, clock, errors));
                if (cancellationToken.IsCancellationRequested)
                {
                    abort = true;
                    go.Set();
                    JoinAll(threads);
                    throw new OperationCanceledException("the run was cancelled while connecting", cancellationToken);
                }
            }
            if (failures.FirstOrDefault(f => f is not null) is { } failure)
            {
                Volatile.Write(ref abort, true);
                go.Set();
                JoinAll(threads);
                throw failure is LoadGeneratorException ? failure : new LoadGeneratorException($"cannot connect to {endpoint}: {failure.Message}", failure);
            }

            clock.Schedule(Stopwatch.GetTimestamp(), options.Warmup, options.Duration);
            go.Set();
            using (cancellationToken.Register(clock.EndNow))
            {
                foreach (Thread thread in threads)
                {
                    while (!thread.Join(ProgressInterval))
                    {
                        progress?.Report(Snapshot(PhaseAt(clock), workers, options, clock, errors));
                    }
                }
            }
            if (failures.FirstOrDefault(f => f is not null) is { } runFailure)
            {
                errors.Add($"a worker stopped: {runFailure.Message}");
            }

            long start = clock.MeasureStart, end = clock.MeasureEnd;
            var merged = new LongHistogram(workers[0].Latency.HighestTrackableValue, 3);
            foreach (LoadWorker worker in workers)
            {
                merged.Add(worker.Latency);
            }
            return new LoadResult
            {
                Options = options,
                Endpoint = UnixAddress.Describe(endpoint),
                Duration = TimeSpan.FromSeconds(Math.Max(0, end - start) / (double)Stopwatch.Frequency),
                Messages = workers.Sum(w => w.Measured),
                Latency = LatencySummary.From(merged),
                Histogram = merged,
                Errors = errors.Count,
                ErrorMessages = errors.Messages,
                Cancelled = cancellationToken.IsCancellationRequested,
            };
        }
        finally
        {
            foreach (LoadWorker? worker in workers)
            {
                worker?.Dispose();
            }
        }
    }

    private static LoadPhase PhaseAt(RunClock clock)
    {
        long now = Stopwatch.GetTimestamp();
        return now < clock.MeasureStart ? LoadPhase.Warmup : now < clock.MeasureEnd ? LoadPhase.Measuring : LoadPhase.Draining;
    }

    private static LoadProgress Snapshot(LoadPhase phase, LoadWorker[] workers, LoadOptions options, RunClock clock, ErrorLog errors)
    {
        long now = Stopwatch.GetTimestamp();
        long measuredTicks = phase switch
        {
            LoadPhase.Measuring => now - clock.MeasureStart,
            LoadPhase.Draining => clock.MeasureEnd - clock.MeasureStart,
            _ => 0,
        };
        return new LoadProgress(
            phase,
            workers.Sum(w => w.ConnectedCount),
            options.Connections,
            workers.Sum(w => w.Completed),
            workers.Sum(w => w.Measured),
            TimeSpan.FromSeconds(measuredTicks / (double)Stopwatch.Frequency),
            options.Duration,
            errors.Count);
    }

    private static void JoinAll(Thread[] threads)
    {
        foreach (Thread? thread in threads)
        {
            thread?.Join();
        }
    }

    private static UnixDomainSocketEndPoint UnixEndPoint(string host)
    {
        try
        {
            return UnixAddress.Parse(host, "--host");
        }
        catch (UsageException e)
        {
            throw new LoadGeneratorException(e.Message, e);
        }
    }

    private static IPEndPoint Resolve(string host, int port)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new IPEndPoint(literal, port);
        }
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new LoadGeneratorException($"cannot resolve --host '{host}': {e.Message}; give a host name that resolves or an IP address", e);
        }
        IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6);
        return chosen is null
            ? throw new LoadGeneratorException($"--host '{host}' has no IPv4 or IPv6 address")
            : new IPEndPoint(chosen, port);
    }

    /// <summary>Each connection is a descriptor: raise the soft limit to the hard one, and refuse a run that cannot fit.</summary>
    private static void EnsureDescriptors(int connections)
    {
        const int Headroom = 64; // the runtime's own descriptors, selectors, wake signals
        ulong limit = DescriptorLimit.RaiseToHard().Soft;
        if ((ulong)connections + Headroom > limit)
        {
            throw new LoadGeneratorException($"--connections {connections} needs more descriptors than this process may open ({limit}); lower --connections or raise the hard limit (ulimit -Hn)");
        }
    }
}
