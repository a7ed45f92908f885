using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IoMux.Cli.Proxy;
using IoMux.Native;
using IoMux.Transport;
using Microsoft.Extensions.Logging;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>iomux proxy</c>: an L4 proxy. Each accepted client gets one upstream connection on the same loop; bytes flow
/// both ways with back-pressure across the pair, a FIN is passed on as a half-close and a reset as a reset.
/// </summary>
internal static class ProxyCommand
{
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where clients connect: HOST:PORT or unix:PATH (unix:@NAME for an abstract name)", Required = true };
        var to = new Option<string>("--to") { Description = "The upstream server: HOST:PORT or unix:PATH (unix:@NAME)", Required = true };
        var backend = new Option<string>("--backend") { Description = "The kernel mechanism: auto (epoll), epoll, poll, select or uring (io_uring)", DefaultValueFactory = _ => "auto" };
        var io = new Option<string?>("--io") { Description = "The I/O model: readiness or completion (--backend uring only). Default: completion on uring, readiness elsewhere" };
        var trigger = new Option<string>("--trigger") { Description = "level, edge (epoll and uring) or oneshot; the completion model takes level only", DefaultValueFactory = _ => "level" };
        var loops = new Option<int>("--loops") { Description = "Event loops (threads), each with its own SO_REUSEPORT listener and its own upstream connections", DefaultValueFactory = _ => 1 };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds an upstream connect may take before the client is closed", DefaultValueFactory = _ => 5 };
        var writeLimit = new Option<int>("--write-limit") { Description = "Bytes queued towards one side before the other side stops being read (high watermark)", DefaultValueFactory = _ => 1024 * 1024 };
        var maxConnections = new Option<int>("--max-connections") { Description = "Client connections allowed at once; more are accepted and closed (0: no limit)" };
        var idleTimeout = new Option<double?>("--idle-timeout") { Description = "Close a pair whose side has been idle this many seconds" };
        var trace = new Option<bool>("--trace") { Description = "Print one line per event on both sides" };

        var command = new Command("proxy", "Run an L4 (TCP and Unix socket) proxy: each client gets its own upstream connection, with back-pressure across the pair")
        {
            listen, to, backend, io, trigger, loops, connectTimeout, writeLimit, maxConnections, idleTimeout, trace,
        };
        command.SetAction(parse => Run(new ProxySettings(
            parse.GetValue(listen)!,
            parse.GetValue(to)!,
            TransportChoice.Parse(parse.GetValue(backend)!, parse.GetValue(io), parse.GetValue(trigger)!),
            parse.GetValue(loops),
            parse.GetValue(connectTimeout),
            parse.GetValue(writeLimit),
            parse.GetValue(maxConnections),
            parse.GetValue(idleTimeout),
            parse.GetValue(trace))));
        return command;
    }

    private static int Run(ProxySettings settings)
    {
        settings.Validate();
        EndPoint listenAt = ResolveOnce(EndPointArgument.Parse(settings.Listen, "--listen"));
        EndPoint upstream = ResolveOnce(EndPointArgument.Parse(settings.To, "--to"));
        ulong fdLimit = DescriptorLimit.RaiseToHard().Soft;
        TextWriter output = Console.Out;
        TextWriter errors = Console.Error;

        var trace = settings.Trace ? new EchoTrace(output) : null;
        using ILoggerFactory loggers = OneLineConsoleFormatter.CreateFactory("iomux proxy");
        var stats = new ProxyStats(loggers.CreateLogger("IoMux.Cli.Proxy"));
        TransportChoice transport = settings.Transport;
        TimeSpan? idle = settings.IdleTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        // Both ends forward what they read: each pauses the other on OnWriteBlocked, so neither may pause itself.
        var serverOptions = new TcpServerOptions
        {
            Trigger = transport.Trigger, IoModel = transport.Model, MaxConnections = settings.MaxConnections, IdleTimeout = idle,
            WriteHighWatermark = settings.WriteLimit, AllowHalfOpen = true, PauseReadingWhileBlocked = false, Trace = trace, LoggerFactory = loggers,
        };
        var connectOptions = new ConnectOptions
        {
            Trigger = transport.Trigger, IoModel = transport.Model, IdleTimeout = idle, ConnectTimeout = TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds),
            WriteHighWatermark = settings.WriteLimit, AllowHalfOpen = true, PauseReadingWhileBlocked = false, Trace = trace, LoggerFactory = loggers,
        };

        using var stop = new ServerStop();
        using var group = new EventLoopGroup(settings.Loops, transport.Backend, trace);
        stop.Watch(group, errors, "iomux proxy");
        var connectors = group.Loops.ToDictionary(loop => loop, loop => new Connector(loop, connectOptions));
        try
        {
            using TcpServer server = Listen(group, listenAt, serverOptions, settings.Listen, client => new ProxySession(connectors[client.Loop], upstream, stats).Client);
            group.Start();
            output.WriteLine($"iomux proxy: listening on {EndPointArgument.Format(server.LocalEndPoint)} (forwarding to {EndPointArgument.Format(upstream)}, {transport.Describe()}, loops {settings.Loops}, fd limit raised to {fdLimit})");
            stop.Wait();

            output.WriteLine($"iomux proxy: stopping: no new clients, flushing both directions (at most {DrainDeadline.TotalSeconds:0} s)");
            Task drain = Task.WhenAll(connectors.Values.Select(c => c.StopAsync(DrainDeadline)).Append(server.StopAsync(DrainDeadline)));
            bool drained = !stop.Faulted && drain.Wait(DrainDeadline + TimeSpan.FromSeconds(2));
            group.Dispose();
            TcpServerCounters counters = server.Counters;
            output.WriteLine($"iomux proxy: stopped{(drained ? "" : " (drain incomplete)")}; {counters.Accepted} clients served, {stats.UpstreamConnects} upstream connections made, "
                + $"{stats.UpstreamFailures} failed, {counters.RejectedOverLimit} clients over the limit");
        }
        finally
        {
            foreach (Connector connector in connectors.Values)
            {
                connector.Dispose();
            }
        }
        return stop.Faulted ? 1 : 0;
    }

    private static TcpServer Listen(EventLoopGroup group, EndPoint endPoint, TcpServerOptions options, string text, Func<Connection, IConnectionHandler> handlers)
    {
        try
        {
            return TcpServer.Start(group, endPoint, handlers, options);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRINUSE)
        {
            throw new UsageException($"--listen {text} is already in use; choose another address (port 0 picks a free one)", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.EACCES)
        {
            throw new UsageException($"--listen {text} needs privileges; choose a port above 1023 or a path you may write", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRNOTAVAIL)
        {
            throw new UsageException($"--listen {text} is not an address of this machine; choose another", e);
        }
        catch (SyscallException e)
        {
            throw new UsageException($"--listen {text}: {e.Message}", e);
        }
    }

    /// <summary>A host name is resolved once, at start-up (as HAProxy does), not per connection.</summary>
    private static EndPoint ResolveOnce(EndPoint endPoint) =>
        endPoint is DnsEndPoint dns ? new IPEndPoint(EchoCommand.Resolve(dns.Host), dns.Port) : endPoint;

    private sealed record ProxySettings(string Listen, string To, TransportChoice Transport, int Loops, double ConnectTimeoutSeconds, int WriteLimit, int MaxConnections, double? IdleTimeoutSeconds, bool Trace)
    {
        public void Validate()
        {
            if (Loops is < 1 or > 1024)
            {
                throw new UsageException($"--loops {Loops} is out of range; use 1 to 1024 (one per core is typical)");
            }
            if (ConnectTimeoutSeconds <= 0 || double.IsNaN(ConnectTimeoutSeconds) || ConnectTimeoutSeconds > 3600)
            {
                throw new UsageException($"--connect-timeout {ConnectTimeoutSeconds} is out of range; use a positive number of seconds, at most 3600");
            }
            if (WriteLimit < 1024)
            {
                throw new UsageException($"--write-limit {WriteLimit} is too small; use at least 1024 bytes");
            }
            if (MaxConnections < 0)
            {
                throw new UsageException($"--max-connections {MaxConnections} is negative; use 0 for no limit or a positive count");
            }
            if (IdleTimeoutSeconds is { } idle && (idle <= 0 || double.IsNaN(idle) || idle > TimeSpan.MaxValue.TotalSeconds / 2))
            {
                throw new UsageException($"--idle-timeout {idle} is not a positive number of seconds");
            }
        }
    }
}
