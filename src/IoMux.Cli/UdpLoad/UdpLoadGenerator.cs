using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;
using IoMux.Cli.LoadGen;
using IoMux.Native;

namespace IoMux.Cli.UdpLoad;

/// <summary>
/// Runs a verifying UDP echo load: <see cref="UdpLoadOptions.Clients"/> connected endpoints on
/// <see cref="UdpLoadOptions.Threads"/> IoMux loops (epoll), each datagram numbered and checked, closed loop or rated.
/// </summary>
public static class UdpLoadGenerator
{
    public static UdpLoadResult Run(UdpLoadOptions options, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPEndPoint server = Resolve(options.Host, options.Port);
        using var group = new EventLoopGroup(options.Threads, SelectorBackend.Epoll);
        long start = Stopwatch.GetTimestamp();
        var loops = group.Loops.Select(loop => new UdpLoadLoop(loop, options, start)).ToArray();
        try
        {
            for (int id = 0; id < options.Clients; id++)
            {
                loops[id % loops.Length].AddClient(id, server);
            }
        }
        catch (SyscallException e)
        {
            foreach (UdpLoadLoop loop in loops)
            {
                loop.Close();
            }
            throw new LoadGeneratorException($"could not open a UDP client for {server}: {e.Message}");
        }
        for (int i = 0; i < loops.Length; i++)
        {
            UdpLoadLoop loop = loops[i];
            group.Loops[i].Post(loop.Begin);
        }
        group.Start();
        using (cancel.Register(group.Stop))
        {
            group.Join(Timeout.InfiniteTimeSpan);
        }
        if (group.Fault is { } fault)
        {
            throw new LoadGeneratorException($"a client loop failed: {fault.Message}");
        }
        TimeSpan measured = TimeSpan.FromSeconds(Math.Min((Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency - options.Warmup.TotalSeconds, options.Duration.TotalSeconds));
        var tally = new UdpLoadTally();
        var histogram = new LongHistogram(loops[0].Latency.HighestTrackableValue, 3);
        foreach (UdpLoadLoop loop in loops)
        {
            loop.Close();
            tally.Add(loop.Tally);
            histogram.Add(loop.Latency);
        }
        return new UdpLoadResult
        {
            Options = options,
            Endpoint = server.ToString(),
            Duration = measured < TimeSpan.Zero ? TimeSpan.Zero : measured,
            Sent = tally.Sent,
            Received = tally.Received,
            Lost = tally.Lost,
            Duplicated = tally.Duplicated,
            Reordered = tally.Reordered,
            Late = tally.Late,
            Corrupt = tally.Corrupt,
            SocketErrors = tally.Errors,
            Messages = tally.Messages,
            Latency = LatencySummary.From(histogram),
            Histogram = histogram,
            Cancelled = cancel.IsCancellationRequested,
        };
    }

    private static IPEndPoint Resolve(string host, int port)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new IPEndPoint(literal, port);
        }
        try
        {
            IPAddress address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                ?? throw new LoadGeneratorException($"host '{host}' has no IPv4 or IPv6 address; use an IP address");
            return new IPEndPoint(address, port);
        }
        catch (SocketException e)
        {
            throw new LoadGeneratorException($"host '{host}' does not resolve ({e.Message}); use an IP address");
        }
    }
}
