using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// A stream server on an <see cref="EventLoopGroup"/> — TCP, Unix domain sockets (a path or a Linux abstract name),
/// or a listening socket the process was handed (socket activation): one non-blocking listener per loop
/// (SO_REUSEPORT for TCP when there are several, so the kernel spreads connections; for a Unix or handed socket,
/// one listening socket shared by every loop), each connection served on the loop that accepted it by a handler
/// from <c>handlerFactory</c>. The server never asks which backend a loop runs on; it needs only that the loops'
/// selectors support <see cref="ConnectionOptions.Trigger"/>.
/// </summary>
public sealed class TcpServer : IDisposable
{
    private readonly ServerLoop[] _loops;
    private readonly UnixSocketFile? _socketFile;
    private bool _disposed;

    private TcpServer(TcpServerOptions options, Func<Connection, IConnectionHandler> handlerFactory, EndPoint localEndPoint, UnixSocketFile? socketFile, int loopCount)
    {
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger("IoMux.Transport.TcpServer") ?? NullLogger.Instance;
        HandlerFactory = handlerFactory;
        LocalEndPoint = localEndPoint;
        _socketFile = socketFile;
        _loops = new ServerLoop[loopCount];
    }

    /// <summary>The options the server was started with (the caller's instance, or the defaults).</summary>
    public TcpServerOptions Options { get; }

    /// <summary>
    /// The bound address: an <see cref="IPEndPoint"/> (with the real port when port 0 was asked for) or a
    /// <see cref="UnixDomainSocketEndPoint"/> (an abstract name shows as <c>@name</c>).
    /// </summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>The server's connection counts, readable from any thread.</summary>
    public TcpServerCounters Counters { get; } = new();

    internal Func<Connection, IConnectionHandler> HandlerFactory { get; }

    internal ILogger Logger { get; }

    /// <summary>
    /// Serves an already connected socket (one end of a socketpair, say) on loop <paramref name="loopIndex"/> as if
    /// that loop had just accepted it. Loop thread only, or before the loop runs.
    /// </summary>
    internal void Adopt(FileDescriptor socket, int loopIndex = 0) => _loops[loopIndex].Connections.Admit(socket);

    /// <summary>
    /// Binds and listens now (so an address in use fails here, as a <see cref="SyscallException"/> with
    /// EADDRINUSE), then starts accepting on each loop's next turn. On a Unix path, a socket file left by a process
    /// that died is replaced, and the file is removed when the server stops or is disposed.
    /// </summary>
    /// <param name="group">The loops to serve on, one listener each; they may be running already or start later.</param>
    /// <param name="endPoint">
    /// An <see cref="IPEndPoint"/> (port 0 picks a free port, see <see cref="LocalEndPoint"/>) or a
    /// <see cref="UnixDomainSocketEndPoint"/>: a path, or an abstract name written with a leading NUL (<c>"\0name"</c>).
    /// </param>
    /// <param name="handlerFactory">Called on a connection's loop thread for each accepted connection, before <see cref="IConnectionHandler.OnConnected"/>.</param>
    /// <param name="options">How the server runs, or <see langword="null"/> for the defaults.</param>
    /// <returns>The listening server; dispose it (or <see cref="StopAsync"/> it) to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/>, <paramref name="endPoint"/> or <paramref name="handlerFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="endPoint"/> is neither an IP nor a Unix endpoint (a <see cref="DnsEndPoint"/>: resolve it first).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="NotSupportedException">A loop cannot serve <see cref="ConnectionOptions.IoModel"/> or <see cref="ConnectionOptions.Trigger"/>; the message says why.</exception>
    /// <exception cref="SyscallException">
    /// socket, bind or listen failed, e.g. <see cref="Errno.EADDRINUSE"/> (for a Unix path: a live server answers
    /// there, or the path is not a socket), <see cref="Errno.EACCES"/> or <see cref="Errno.EADDRNOTAVAIL"/>; no listener is left open.
    /// </exception>
    /// <exception cref="ObjectDisposedException">A loop of <paramref name="group"/> is disposed.</exception>
    public static TcpServer Start(EventLoopGroup group, EndPoint endPoint, Func<Connection, IConnectionHandler> handlerFactory, TcpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        SockAddr.Family(endPoint);
        options = CheckOptions(group, options);
        int count = group.Loops.Count;
        var listeners = new FileDescriptor[count];
        try
        {
            if (endPoint is UnixDomainSocketEndPoint unix)
            {
                listeners[0] = Sockets.ListenUnix(unix, options.Backlog);
                UnixSocketFile? file = UnixSocketFile.Of(unix);
                ShareAmongLoops(listeners);
                return Serve(group, listeners, unix, file, handlerFactory, options);
            }
            bool reusePort = count > 1;
            var ip = (IPEndPoint)endPoint;
            listeners[0] = Sockets.Listen(ip, options.Backlog, reusePort);
            var bound = (IPEndPoint)Sockets.LocalEndPoint(listeners[0].Fd);
            for (int i = 1; i < count; i++)
            {
                listeners[i] = Sockets.Listen(bound, options.Backlog, reusePort);
            }
            return Serve(group, listeners, bound, null, handlerFactory, options);
        }
        catch
        {
            DisposeAll(listeners);
            throw;
        }
    }

    /// <summary>
    /// Serves a listening stream socket the process was handed — by systemd socket activation (see
    /// <see cref="SocketActivation"/>), a supervisor or a parent process — TCP or Unix. The server listens on
    /// duplicates of it (one per loop), made non-blocking, and closes those when it stops; the caller's handle stays
    /// the caller's, and a Unix socket's file is left in place (whoever bound it owns it).
    /// </summary>
    /// <param name="group">The loops to serve on; they may be running already or start later.</param>
    /// <param name="listener">The listening socket, e.g. <c>new SafeSocketHandle(fd, ownsHandle: true)</c> or a <see cref="Socket"/>'s <see cref="Socket.SafeHandle"/>.</param>
    /// <param name="handlerFactory">Called on a connection's loop thread for each accepted connection, before <see cref="IConnectionHandler.OnConnected"/>.</param>
    /// <param name="options">How the server runs, or <see langword="null"/> for the defaults (<see cref="TcpServerOptions.Backlog"/> does not apply: the socket already listens).</param>
    /// <returns>The listening server; dispose it (or <see cref="StopAsync"/> it) to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/>, <paramref name="listener"/> or <paramref name="handlerFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="listener"/> is closed or is not a listening stream socket (not a socket, a datagram socket, a socket that is not listening); the message says which.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="NotSupportedException">A loop cannot serve <see cref="ConnectionOptions.IoModel"/> or <see cref="ConnectionOptions.Trigger"/>; the message says why.</exception>
    /// <exception cref="SyscallException">The socket could not be duplicated (e.g. <see cref="Errno.EMFILE"/>); no duplicate is left open.</exception>
    /// <exception cref="ObjectDisposedException">A loop of <paramref name="group"/> is disposed.</exception>
    public static TcpServer StartOnListener(EventLoopGroup group, SafeHandle listener, Func<Connection, IConnectionHandler> handlerFactory, TcpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        if (listener.IsClosed || listener.IsInvalid)
        {
            throw new ArgumentException("the listening socket's handle is closed; pass an open listening socket", nameof(listener));
        }
        options = CheckOptions(group, options);
        var listeners = new FileDescriptor[group.Loops.Count];
        bool added = false;
        try
        {
            listener.DangerousAddRef(ref added);
            int fd = (int)listener.DangerousGetHandle();
            Sockets.CheckListening(fd, nameof(listener));
            listeners[0] = Sockets.Duplicate(fd);
            Descriptors.SetNonBlocking(listeners[0].Fd, true);
            ShareAmongLoops(listeners);
            return Serve(group, listeners, Sockets.LocalEndPoint(listeners[0].Fd), null, handlerFactory, options);
        }
        catch
        {
            DisposeAll(listeners);
            throw;
        }
        finally
        {
            if (added)
            {
                listener.DangerousRelease();
            }
        }
    }

    private static TcpServerOptions CheckOptions(EventLoopGroup group, TcpServerOptions? options)
    {
        options ??= new TcpServerOptions();
        options.Validate();
        foreach (EventLoop loop in group.Loops)
        {
            if (!EventLoop.IsAvailable(options.IoModel, loop.Selector.Backend, out string? refusal))
            {
                throw new NotSupportedException($"{loop.Name}: {refusal}");
            }
            if (!loop.Selector.Supports(options.Trigger))
            {
                throw new NotSupportedException($"the {loop.Selector.Backend.ToString().ToLowerInvariant()} backend of {loop.Name} does not support {options.Trigger} triggering");
            }
        }
        return options;
    }

    /// <summary>Unix sockets have no SO_REUSEPORT: every loop listens on the one socket, each through its own descriptor, and the kernel gives each connection to one of them.</summary>
    private static void ShareAmongLoops(FileDescriptor[] listeners)
    {
        for (int i = 1; i < listeners.Length; i++)
        {
            listeners[i] = Sockets.Duplicate(listeners[0].Fd);
        }
    }

    private static TcpServer Serve(EventLoopGroup group, FileDescriptor[] listeners, EndPoint bound, UnixSocketFile? file, Func<Connection, IConnectionHandler> handlerFactory, TcpServerOptions options)
    {
        var server = new TcpServer(options, handlerFactory, bound, file, listeners.Length);
        for (int i = 0; i < listeners.Length; i++)
        {
            var serverLoop = new ServerLoop(server, group.Loops[i], listeners[i]);
            server._loops[i] = serverLoop;
            group.Loops[i].Post(serverLoop.StartAccepting);
        }
        return server;
    }

    private static void DisposeAll(FileDescriptor?[] listeners)
    {
        foreach (FileDescriptor? listener in listeners)
        {
            listener?.Dispose();
        }
    }

    /// <summary>
    /// Stops accepting (a Unix socket's file is removed at once) and leaves the open connections alone, for an owner
    /// that ends them itself (an ASP.NET Core server unbinding, say); <see cref="StopAsync"/> or <see cref="Dispose"/>
    /// still closes what is left. Any thread; the loops must be running for it to complete.
    /// </summary>
    /// <returns>A task that completes when every loop has closed its listener, so no connection is accepted after it.</returns>
    /// <exception cref="ObjectDisposedException">The server is disposed.</exception>
    public Task StopAccepting()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _socketFile?.Remove();
        var closed = new Task[_loops.Length];
        for (int i = 0; i < _loops.Length; i++)
        {
            ServerLoop serverLoop = _loops[i];
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            serverLoop.Loop.Post(() =>
            {
                serverLoop.StopAccepting();
                done.SetResult();
            });
            closed[i] = done.Task;
        }
        return Task.WhenAll(closed);
    }

    /// <summary>
    /// Stops accepting (a Unix socket's file is removed at once), lets every connection send what it has queued, and closes it; connections still
    /// sending at <paramref name="drainDeadline"/> are closed anyway. Completes when all are closed.
    /// Any thread; the loops must be running for it to complete.
    /// </summary>
    /// <param name="drainDeadline">How long connections may go on sending what they have queued.</param>
    /// <returns>A task that completes when every connection is closed and its socket released.</returns>
    /// <exception cref="ObjectDisposedException">The server is disposed.</exception>
    public Task StopAsync(TimeSpan drainDeadline)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _socketFile?.Remove();
        var drained = new Task[_loops.Length];
        for (int i = 0; i < _loops.Length; i++)
        {
            ServerLoop serverLoop = _loops[i];
            serverLoop.Loop.Post(() => serverLoop.BeginStop(drainDeadline));
            drained[i] = serverLoop.Connections.Drained;
        }
        return Task.WhenAll(drained);
    }

    /// <summary>Closes listeners and connections at once. Safe while the loops run (the work is posted to them) or after they stopped.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _socketFile?.Remove();
        foreach (ServerLoop serverLoop in _loops)
        {
            if (serverLoop.Loop.IsRunning)
            {
                serverLoop.Loop.Post(serverLoop.CloseEverything);
            }
            else
            {
                serverLoop.CloseEverything();
            }
        }
    }
}
