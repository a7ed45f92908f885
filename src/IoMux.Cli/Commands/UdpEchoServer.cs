using System.Net;
using System.Runtime.InteropServices;
using IoMux.Datagrams;
using IoMux.Native;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>iomux echo --udp</c>: the echo service over UDP (RFC 862), one endpoint per loop sharing the port with
/// SO_REUSEPORT. Datagrams are read in batches and each batch's replies leave in one send call; a reply the bounded
/// send queue cannot hold is dropped and counted (UDP promises no delivery, and memory stays flat).
/// </summary>
internal static class UdpEchoServer
{
    public static int Run(UdpEchoSettings settings)
    {
        TextWriter output = Console.Out;
        TextWriter errors = Console.Error;
        var loopTrace = settings.Trace ? new EchoTrace(output) : null;
        var options = new UdpEndpointOptions
        {
            IoModel = settings.Model,
            Trigger = settings.Trigger,
            ReusePort = settings.Loops > 1,
            DualStack = settings.Address.Equals(IPAddress.IPv6Any),
            // Room for bursts from many clients at once (the kernel caps it at net.core.rmem_max), as the C peers ask.
            ReceiveBufferSize = 4 << 20,
            // --write-limit bounds the send queue; it must hold at least one datagram of the largest size.
            SendQueueBytes = Math.Max(settings.WriteLimit, 65_507),
            Trace = settings.Trace ? new UdpEchoTrace(output) : null,
        };

        using var stop = new ServerStop();
        using var group = new EventLoopGroup(settings.Loops, settings.Backend, loopTrace);
        stop.Watch(group, errors, "iomux echo");
        var endpoints = new List<UdpEndpoint>();
        var endPoint = new IPEndPoint(settings.Address, settings.Port);
        try
        {
            foreach (EventLoop loop in group.Loops)
            {
                endpoints.Add(Bind(loop, endPoint, options, settings.Host));
                endPoint = new IPEndPoint(settings.Address, endpoints[0].LocalEndPoint.Port); // port 0: every loop on the port the first got
            }
        }
        catch
        {
            foreach (UdpEndpoint endpoint in endpoints)
            {
                endpoint.Dispose();
            }
            throw;
        }
        group.Start();
        output.WriteLine($"iomux echo: listening on {endpoints[0].LocalEndPoint} (UDP, backend {settings.BackendName}, io {settings.Model.ToString().ToLowerInvariant()}, trigger {settings.Trigger.ToString().ToLowerInvariant()}, loops {settings.Loops})");
        stop.Wait();

        // UDP has nothing to drain: what is queued is dropped with the endpoint.
        group.Stop();
        group.Join(TimeSpan.FromSeconds(2));
        long received = 0, sent = 0, dropped = 0, truncated = 0, failed = 0, receiveCalls = 0, sendCalls = 0;
        foreach (UdpEndpoint endpoint in endpoints)
        {
            UdpEndpointCounters c = endpoint.Counters;
            received += c.Received;
            sent += c.Sent;
            dropped += c.Dropped;
            truncated += c.Truncated;
            failed += c.SendFailed;
            receiveCalls += c.ReceiveCalls;
            sendCalls += c.SendCalls;
            endpoint.Dispose();
        }
        output.WriteLine($"iomux echo: stopped; {received} datagrams received in {receiveCalls} calls, {sent} echoed in {sendCalls} calls, "
            + $"{dropped} dropped (send queue full), {truncated} truncated, {failed} refused by the kernel");
        return stop.Faulted ? 1 : 0;
    }

    private static UdpEndpoint Bind(EventLoop loop, IPEndPoint endPoint, UdpEndpointOptions options, string host)
    {
        try
        {
            return UdpEndpoint.Open(loop, endPoint, UdpEchoHandler.Instance, options);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRINUSE)
        {
            throw new UsageException($"UDP port {endPoint.Port} on {host} is already in use; choose another --port (0 picks a free one)", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.EACCES)
        {
            throw new UsageException($"binding UDP port {endPoint.Port} needs privileges; choose a --port above 1023", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRNOTAVAIL)
        {
            throw new UsageException($"{host} ({endPoint.Address}) is not an address of this machine; choose another --host", e);
        }
    }
}

/// <summary>What <c>echo --udp</c> runs with, checked by <c>echo</c>'s own parsing.</summary>
internal sealed record UdpEchoSettings(string Host, IPAddress Address, int Port, SelectorBackend Backend, string BackendName, IoModel Model, Trigger Trigger, int Loops, int WriteLimit, bool Trace);
