using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Net;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// A TCP server on an <see cref="EventLoopGroup"/>: one non-blocking listener per loop (SO_REUSEPORT
/// when there are several, so the kernel spreads connections), each connection served on the loop that
/// accepted it by a handler from <c>handlerFactory</c>. The server never asks which backend a loop runs
/// on; it needs only that the loops' selectors support <see cref="ConnectionOptions.Trigger"/>.
/// </summary>
public sealed class TcpServer : IDisposable
{
    private readonly ServerLoop[] _loops;
    private bool _disposed;

    private TcpServer(TcpServerOptions options, Func<Connection, IConnectionHandler> handlerFactory, IPEndPoint localEndPoint, int loopCount)
    {
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger("IoMux.Transport.TcpServer") ?? NullLogger.Instance;
        HandlerFactory = handlerFactory;
        LocalEndPoint = localEndPoint;
        _loops = new ServerLoop[loopCount];
    }

    /// <summary>The options the server was started with (the caller's instance, or the defaults).</summary>
    public TcpServerOptions Options { get; }

    /// <summary>The bound address (with the real port when port 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

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
    /// Binds and listens now (so a port in use fails here, as a <see cref="SyscallException"/> with
    /// EADDRINUSE), then starts accepting on each loop's next turn.
    /// </summary>
    /// <param name="group">The loops to serve on, one listener each; they may be running already or start later.</param>
    /// <param name="endPoint">The address to listen on; port 0 picks a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="handlerFactory">Called on a connection's loop thread for each accepted connection, before <see cref="IConnectionHandler.OnConnected"/>.</param>
    /// <param name="options">How the server runs, or <see langword="null"/> for the defaults.</param>
    /// <returns>The listening server; dispose it (or <see cref="StopAsync"/> it) to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/>, <paramref name="endPoint"/> or <paramref name="handlerFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="NotSupportedException">A loop cannot serve <see cref="ConnectionOptions.IoModel"/> or <see cref="ConnectionOptions.Trigger"/>; the message says why.</exception>
    /// <exception cref="SyscallException">socket, bind or listen failed, e.g. <see cref="Errno.EADDRINUSE"/>, <see cref="Errno.EACCES"/> or <see cref="Errno.EADDRNOTAVAIL"/>; no listener is left open.</exception>
    /// <exception cref="ObjectDisposedException">A loop of <paramref name="group"/> is disposed.</exception>
    public static TcpServer Start(EventLoopGroup group, IPEndPoint endPoint, Func<Connection, IConnectionHandler> handlerFactory, TcpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handlerFactory);
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

        int count = group.Loops.Count;
        var listeners = new FileDescriptor[count];
        try
        {
            bool reusePort = count > 1;
            listeners[0] = Sockets.Listen(endPoint, options.Backlog, reusePort);
            IPEndPoint bound = Sockets.LocalEndPoint(listeners[0].Fd);
            for (int i = 1; i < count; i++)
            {
                listeners[i] = Sockets.Listen(bound, options.Backlog, reusePort);
            }
            var server = new TcpServer(options, handlerFactory, bound, count);
            for (int i = 0; i < count; i++)
            {
                var serverLoop = new ServerLoop(server, group.Loops[i], listeners[i]);
                server._loops[i] = serverLoop;
                group.Loops[i].Post(serverLoop.StartAccepting);
            }
            return server;
        }
        catch
        {
            foreach (FileDescriptor? listener in listeners)
            {
                listener?.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Stops accepting, lets every connection send what it has queued, and closes it; connections still
    /// sending at <paramref name="drainDeadline"/> are closed anyway. Completes when all are closed.
    /// Any thread; the loops must be running for it to complete.
    /// </summary>
    /// <param name="drainDeadline">How long connections may go on sending what they have queued.</param>
    /// <returns>A task that completes when every connection is closed and its socket released.</returns>
    /// <exception cref="ObjectDisposedException">The server is disposed.</exception>
    public Task StopAsync(TimeSpan drainDeadline)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
