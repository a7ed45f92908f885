using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using IoMux.Native;
using IoMux.Pipelines;
using IoMux.Transport;
using Microsoft.Extensions.Logging;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>iomux echo</c>: the tutorial's poll echo server on port 10001, without its faults — replies are
/// flushed before an EOF'd connection closes, partial sends are kept, and a client that does not read
/// cannot grow the server's memory past its write limit.
/// </summary>
internal static class EchoCommand
{
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address or name to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port, printed when listening)", DefaultValueFactory = _ => 10001 };
        var backend = new Option<string>("--backend") { Description = "The kernel mechanism: auto (epoll), epoll, poll, select or uring (io_uring)", DefaultValueFactory = _ => "auto" };
        var io = new Option<string?>("--io") { Description = "The I/O model: readiness (wait until ready, then read and write) or completion (io_uring receives and sends; --backend uring only). Default: completion on uring, readiness elsewhere" };
        var trigger = new Option<string>("--trigger") { Description = "level, edge (epoll and uring) or oneshot; the completion model takes level only (completions have no trigger)", DefaultValueFactory = _ => "level" };
        var loops = new Option<int>("--loops") { Description = "Event loops (threads), each with its own SO_REUSEPORT listener", DefaultValueFactory = _ => 1 };
        var maxConnections = new Option<int>("--max-connections") { Description = "Open connections allowed at once; more are accepted and closed (0: no limit)" };
        var idleTimeout = new Option<double?>("--idle-timeout") { Description = "Close a connection idle for this many seconds" };
        var writeLimit = new Option<int>("--write-limit") { Description = "Bytes queued per connection before it stops being read (high watermark)", DefaultValueFactory = _ => 1024 * 1024 };
        var trace = new Option<bool>("--trace") { Description = "Print one line per event: waits, ready sets, accepts, reads, writes, interest changes, closes" };
        var api = new Option<string?>("--api") { Description = "callback (IConnectionHandler, spans), pipe (IDuplexPipe, async, on the thread pool) or pipe-inline (the same on the loop thread). Default: callback, or pipe with --tls-cert (TLS runs over the connection stream)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve TLS with this certificate: PEM (key from --tls-key or the same file) or PFX without a password" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of --tls-cert" };
        var udp = new Option<bool>("--udp") { Description = "Serve the echo protocol over UDP instead (RFC 862): datagrams read and echoed in batches; --write-limit bounds the send queue" };
        var unix = new Option<string?>("--unix") { Description = "Listen on a Unix domain socket instead of TCP: a path (a dead server's socket file is replaced; the file is removed on exit) or @name for a Linux abstract name" };
        var fd = new Option<int?>("--fd") { Description = "Serve the listening socket (TCP or Unix) this process inherited as descriptor N; sockets passed by systemd socket activation (LISTEN_FDS) are served without it" };

        var command = new Command("echo", "Run the tutorial's echo server, done right, on any backend and trigger mode")
        {
            host, port, backend, io, trigger, loops, maxConnections, idleTimeout, writeLimit, trace, api, tlsCert, tlsKey, udp, unix, fd,
        };
        command.SetAction(parse => Run(new EchoSettings(
            parse.GetValue(host)!,
            parse.GetValue(port),
            parse.GetValue(backend)!,
            parse.GetValue(io),
            parse.GetValue(trigger)!,
            parse.GetValue(loops),
            parse.GetValue(maxConnections),
            parse.GetValue(idleTimeout),
            parse.GetValue(writeLimit),
            parse.GetValue(trace),
            parse.GetValue(api),
            parse.GetValue(tlsCert),
            parse.GetValue(tlsKey),
            parse.GetValue(udp),
            parse.GetValue(unix),
            parse.GetValue(fd),
            parse.GetResult(host) is { Implicit: false } || parse.GetResult(port) is { Implicit: false })));
        return command;
    }

    private static int Run(EchoSettings settings)
    {
        TransportChoice transport = TransportChoice.Parse(settings.Backend, settings.Io, settings.Trigger);
        settings.Validate();
        (SelectorBackend backend, IoModel model, Trigger trigger, string backendName) = transport;
        (bool pipes, bool inline) = ParseApi(settings);
        using X509Certificate2? certificate = settings.TlsCert is { } certPath ? TlsCertificate.Load(certPath, settings.TlsKey) : null;
        if (settings.Udp)
        {
            return UdpEchoServer.Run(new UdpEchoSettings(settings.Host, Resolve(settings.Host), settings.Port, backend, backendName, model, trigger, settings.Loops, settings.WriteLimit, settings.Trace));
        }
        IReadOnlyList<ActivatedSocket> activated = settings.Unix is null && settings.Fd is null ? TakeActivated() : [];
        if (activated.Count > 0 && settings.TcpAddressGiven)
        {
            throw new UsageException($"the service manager handed over {activated.Count} listening socket(s) (LISTEN_FDS), which say where to listen, so --host and --port do not apply; drop them");
        }
        IPAddress? address = settings.Unix is null && settings.Fd is null && activated.Count == 0 ? Resolve(settings.Host) : null;
        ulong fdLimit = DescriptorLimit.RaiseToHard().Soft;
        // .NET opens its console writers lazily, each on a dup of fd 1 or 2: open them now, while descriptors
        // are to be had, or the first line logged when the process runs out of them would itself fail with EMFILE.
        TextWriter output = Console.Out;
        TextWriter errors = Console.Error;

        var echoTrace = settings.Trace ? new EchoTrace(output) : null;
        using ILoggerFactory loggers = OneLineConsoleFormatter.CreateFactory("iomux echo");
        var options = new TcpServerOptions
        {
            Trigger = trigger,
            IoModel = model,
            MaxConnections = settings.MaxConnections,
            IdleTimeout = settings.IdleTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            WriteHighWatermark = settings.WriteLimit,
            Trace = echoTrace,
            LoggerFactory = loggers,
            // The pipe echo answers after the peer's FIN; the callback echo's queue is already in the connection.
            AllowHalfOpen = pipes,
        };
        Func<Connection, IConnectionHandler> handlers = certificate is not null
            ? PipeServer.Handler(new TlsEcho(certificate, loggers.CreateLogger("IoMux.Cli.TlsEcho")).RunAsync)
            : pipes ? PipeServer.Handler(PipeEcho.RunAsync, new PipeConnectionOptions { RunApplicationInline = inline }) : _ => EchoHandler.Instance;

        // Handlers first: a signal that arrives once the listening line is out must find them in place.
        using var stop = new ServerStop();
        using var group = new EventLoopGroup(settings.Loops, backend, echoTrace);
        stop.Watch(group, errors, "iomux echo");
        var listeners = new EchoListeners();
        using (listeners)
        {
            if (address is not null)
            {
                listeners.Add(Listen(group, new IPEndPoint(address, settings.Port), handlers, options, settings), "");
            }
            else if (settings.Unix is { } unixPath)
            {
                listeners.Add(ListenUnix(group, UnixAddress.Parse(unixPath, "--unix"), handlers, options), "");
            }
            else if (settings.Fd is { } inherited)
            {
                listeners.Add(ListenOnDescriptor(group, new SafeSocketHandle(inherited, ownsHandle: true), $"--fd {inherited}", handlers, options, listeners), $"fd {inherited}, ");
            }
            else
            {
                foreach (ActivatedSocket socket in activated)
                {
                    listeners.Add(ListenOnDescriptor(group, socket.Handle, $"socket activation's fd {socket.Fd} ({socket.Name})", handlers, options, listeners), $"fd {socket.Fd} '{socket.Name}' from socket activation, ");
                }
            }
            group.Start();
            foreach ((TcpServer server, string origin) in listeners.Servers)
            {
                output.WriteLine($"iomux echo: listening on {UnixAddress.Describe(server.LocalEndPoint)} ({origin}backend {backendName}, io {model.ToString().ToLowerInvariant()}, trigger {trigger.ToString().ToLowerInvariant()}, loops {settings.Loops}, api {(pipes ? inline ? "pipe-inline" : "pipe" : "callback")}{(certificate is null ? "" : ", tls")}, fd limit raised to {fdLimit})");
            }
            stop.Wait();

            output.WriteLine($"iomux echo: stopping: no new connections, flushing queued replies (at most {DrainDeadline.TotalSeconds:0} s)");
            bool drained = !stop.Faulted && Task.WhenAll(listeners.Servers.Select(s => s.Server.StopAsync(DrainDeadline))).Wait(DrainDeadline + TimeSpan.FromSeconds(2));
            group.Dispose();
            TcpServerCounters[] counters = [.. listeners.Servers.Select(s => s.Server.Counters)];
            output.WriteLine($"iomux echo: stopped{(drained ? "" : " (drain incomplete)")}; {counters.Sum(c => c.Accepted)} connections served, "
                + $"{counters.Sum(c => c.RejectedOverLimit)} over the limit, {counters.Sum(c => c.RejectedDescriptorRefused)} refused by the selector, {counters.Sum(c => c.RejectedSetupFailed)} not set up, {counters.Sum(c => c.RejectedOutOfDescriptors)} shed for lack of descriptors");
            return stop.Faulted ? 1 : 0;
        }
    }

    /// <summary>Sockets passed by socket activation, if any; malformed variables are bad input.</summary>
    private static IReadOnlyList<ActivatedSocket> TakeActivated()
    {
        try
        {
            return SocketActivation.TakeListeners();
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"socket activation: {e.Message}", e);
        }
    }

    private static TcpServer ListenUnix(EventLoopGroup group, UnixDomainSocketEndPoint endPoint, Func<Connection, IConnectionHandler> handlers, TcpServerOptions options)
    {
        string shown = UnixAddress.Describe(endPoint);
        try
        {
            return TcpServer.Start(group, endPoint, handlers, options);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRINUSE)
        {
            throw new UsageException($"{shown} is in use: a live server answers there, or the path is not a socket; stop that server or choose another --unix path", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.ENOENT)
        {
            throw new UsageException($"{shown}: its directory does not exist; create it or choose another --unix path", e);
        }
        catch (SyscallException e) when (e.Errno is Errno.EACCES or Errno.EPERM)
        {
            throw new UsageException($"{shown}: no permission to create the socket file there; choose a --unix path in a directory you can write", e);
        }
    }

    /// <summary>A listening socket the process inherited; the handle is kept (and closed) with the servers.</summary>
    private static TcpServer ListenOnDescriptor(EventLoopGroup group, SafeSocketHandle handle, string source, Func<Connection, IConnectionHandler> handlers, TcpServerOptions options, EchoListeners listeners)
    {
        listeners.Keep(handle);
        try
        {
            return TcpServer.StartOnListener(group, handle, handlers, options);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{source}: {e.Message}", e);
        }
    }

    private static TcpServer Listen(EventLoopGroup group, IPEndPoint endPoint, Func<Connection, IConnectionHandler> handlers, TcpServerOptions options, EchoSettings settings)
    {
        try
        {
            return TcpServer.Start(group, endPoint, handlers, options);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRINUSE)
        {
            throw new UsageException($"port {endPoint.Port} on {settings.Host} is already in use; choose another --port (0 picks a free one)", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.EACCES)
        {
            throw new UsageException($"binding port {endPoint.Port} needs privileges; choose a --port above 1023", e);
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRNOTAVAIL)
        {
            throw new UsageException($"{settings.Host} ({endPoint.Address}) is not an address of this machine; choose another --host", e);
        }
    }

    /// <summary>Whether the pipe API serves (TLS needs it: SslStream runs over the connection's stream), and whether inline on the loop.</summary>
    private static (bool Pipes, bool Inline) ParseApi(EchoSettings settings)
    {
        (bool pipes, bool inline) = settings.Api?.ToLowerInvariant() switch
        {
            null => (settings.TlsCert is not null, false),
            "callback" => (false, false),
            "pipe" => (true, false),
            "pipe-inline" => (true, true),
            _ => throw new UsageException($"unknown API '{settings.Api}'; use --api callback, pipe or pipe-inline"),
        };
        if (settings.TlsKey is not null && settings.TlsCert is null)
        {
            throw new UsageException("--tls-key needs --tls-cert: give the certificate the key belongs to");
        }
        if (settings.TlsCert is not null && !pipes)
        {
            throw new UsageException("--tls-cert runs on the pipe API (SslStream over the connection stream); drop --api callback or use --api pipe");
        }
        return (pipes, inline);
    }

    /// <summary>A literal address, or a host name resolved now (IPv4 preferred); throws <see cref="UsageException"/> naming the fix.</summary>
    internal static IPAddress Resolve(string host) => Resolve(host, Dns.GetHostAddresses);

    /// <summary>As <see cref="Resolve(string)"/>, asking <paramref name="lookup"/> for a name (tests replace the resolver).</summary>
    internal static IPAddress Resolve(string host, Func<string, IPAddress[]> lookup)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return literal;
        }
        IPAddress[] addresses;
        try
        {
            addresses = lookup(host);
        }
        catch (SocketException e)
        {
            throw new UsageException($"host '{host}' does not resolve ({e.Message}); use an IP address or a name this machine can resolve", e);
        }
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6)
            ?? throw new UsageException($"host '{host}' has no IPv4 or IPv6 address; use an IP address");
    }

    private sealed record EchoSettings(string Host, int Port, string Backend, string? Io, string Trigger, int Loops, int MaxConnections, double? IdleTimeoutSeconds, int WriteLimit, bool Trace, string? Api, string? TlsCert, string? TlsKey, bool Udp, string? Unix, int? Fd, bool TcpAddressGiven)
    {
        public void Validate()
        {
            if (Udp && MaxConnections != 0)
            {
                throw new UsageException("--max-connections does not apply to --udp: UDP has no connections; omit it");
            }
            if (Udp && IdleTimeoutSeconds is not null)
            {
                throw new UsageException("--idle-timeout does not apply to --udp: UDP has no connections to close; omit it");
            }
            if (Udp && (Api is not null || TlsCert is not null || TlsKey is not null))
            {
                throw new UsageException("--api and --tls-cert do not apply to --udp: datagrams have no stream to pipe or encrypt; omit them");
            }
            if (Udp && (Unix is not null || Fd is not null))
            {
                throw new UsageException($"{(Unix is not null ? "--unix" : "--fd")} does not apply to --udp: the UDP echo binds --host and --port; omit it");
            }
            if (Unix is not null && Fd is not null)
            {
                throw new UsageException("--unix and --fd both say where to listen; give one of them");
            }
            if ((Unix is not null || Fd is not null) && TcpAddressGiven)
            {
                throw new UsageException($"{(Unix is not null ? "--unix" : "--fd")} says where to listen, so --host and --port do not apply; drop them");
            }
            if (Fd is < 0)
            {
                throw new UsageException($"--fd {Fd} is not a descriptor; give the number of an inherited listening socket (3 or more, usually)");
            }
            if (Port is < 0 or > 65535)
            {
                throw new UsageException($"--port {Port} is out of range; use 1-65535 (or 0 for any free port)");
            }
            if (Loops is < 1 or > 1024)
            {
                throw new UsageException($"--loops {Loops} is out of range; use 1 to 1024 (one per core is typical)");
            }
            if (MaxConnections < 0)
            {
                throw new UsageException($"--max-connections {MaxConnections} is negative; use 0 for no limit or a positive count");
            }
            if (IdleTimeoutSeconds is { } idle && (idle <= 0 || double.IsNaN(idle) || idle > TimeSpan.MaxValue.TotalSeconds / 2))
            {
                throw new UsageException($"--idle-timeout {idle} is not a positive number of seconds");
            }
            if (WriteLimit < 1024)
            {
                throw new UsageException($"--write-limit {WriteLimit} is too small; use at least 1024 bytes");
            }
        }
    }

    /// <summary>The servers echo runs, each with where it came from, and the inherited handles they listen on: disposed together.</summary>
    private sealed class EchoListeners : IDisposable
    {
        private readonly List<SafeSocketHandle> _handles = [];

        public List<(TcpServer Server, string Origin)> Servers { get; } = [];

        public void Add(TcpServer server, string origin) => Servers.Add((server, origin));

        public void Keep(SafeSocketHandle handle) => _handles.Add(handle);

        public void Dispose()
        {
            foreach ((TcpServer server, _) in Servers)
            {
                server.Dispose();
            }
            foreach (SafeSocketHandle handle in _handles)
            {
                handle.Dispose();
            }
        }
    }
}
