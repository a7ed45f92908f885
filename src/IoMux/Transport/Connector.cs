using System.Net;
using IoMux.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoMux.Transport;

/// <summary>
/// Outbound connections on one event loop: connects to an <see cref="IPEndPoint"/>, a
/// <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/> (a path, or an abstract name) or a
/// <see cref="DnsEndPoint"/> (resolved off the loop thread by <see cref="ConnectOptions.Resolver"/>, each address
/// tried in order), and serves each connected socket as an ordinary <see cref="Connection"/> — the same state
/// machine and <see cref="IConnectionHandler"/> as an accepted one, on either I/O model. Readiness: a non-blocking
/// connect, a wait for writability, then SO_ERROR; completion: an io_uring connect request. Each failure is a
/// <see cref="ConnectException"/> whose <see cref="ConnectException.Error"/> says which (refused, timed out,
/// unreachable, name not resolved, address in use, cancelled).
/// </summary>
/// <remarks>
/// Two forms: <see cref="ConnectAsync"/> from any thread, and <see cref="Connect"/> on the loop thread — from inside
/// another connection's handler, say — which reports to an <see cref="IConnectHandler"/> and, for an IP or Unix
/// address, allocates nothing per connect beyond the connection itself (the connect's own state is pooled).
/// </remarks>
public sealed class Connector : IDisposable
{
    private readonly ConnectionSet _connections;
    private readonly LoopResources _resources;
    private readonly Stack<ConnectAttempt> _idle = new();
    private readonly List<ConnectAttempt> _attempts = [];
    private readonly TcpServerCounters _counters = new();
    private bool _disposed;

    /// <summary>A connector on <paramref name="loop"/>; the loop may be running already or start later.</summary>
    /// <param name="loop">The loop its connections live on.</param>
    /// <param name="options">How it connects and how its connections run, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="NotSupportedException">The loop cannot serve <see cref="ConnectionOptions.IoModel"/> or <see cref="ConnectionOptions.Trigger"/>; the message says why.</exception>
    public Connector(EventLoop loop, ConnectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        options ??= new ConnectOptions();
        options.Validate();
        if (!EventLoop.IsAvailable(options.IoModel, loop.Selector.Backend, out string? refusal))
        {
            throw new NotSupportedException($"{loop.Name}: {refusal}");
        }
        if (!loop.Selector.Supports(options.Trigger))
        {
            throw new NotSupportedException($"the {loop.Selector.Backend.ToString().ToLowerInvariant()} backend of {loop.Name} does not support {options.Trigger} triggering");
        }
        Loop = loop;
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger("IoMux.Transport.Connector") ?? NullLogger.Instance;
        _resources = new LoopResources(loop, options);
        _connections = new ConnectionSet(loop, _resources, options, 0, _counters, Logger, null);
    }

    /// <summary>The loop the connections live on.</summary>
    public EventLoop Loop { get; }

    /// <summary>The options the connector was made with (the caller's instance, or the defaults).</summary>
    public ConnectOptions Options { get; }

    /// <summary>Connections made whose sockets are open now (a closed one counts until its driver let go of the socket); any thread.</summary>
    public int OpenConnections => _counters.Open;

    internal ILogger Logger { get; }

    internal ConnectionSet Connections => _connections;

    internal LoopResources Resources => _resources;

    /// <summary>
    /// Connects to <paramref name="remoteEndPoint"/> and serves the connection with <paramref name="handler"/>: the
    /// task completes once <see cref="IConnectionHandler.OnConnected"/> has run, or fails with a
    /// <see cref="ConnectException"/>. Any thread.
    /// </summary>
    /// <param name="remoteEndPoint">An <see cref="IPEndPoint"/>, a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/> or a <see cref="DnsEndPoint"/>.</param>
    /// <param name="handler">Serves the connection once connected; told nothing if the connect fails.</param>
    /// <param name="cancellationToken">Gives the connect up (<see cref="ConnectError.Cancelled"/>); it has no effect once connected.</param>
    /// <returns>The connection, open (unless its handler closed it in <see cref="IConnectionHandler.OnConnected"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="remoteEndPoint"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="remoteEndPoint"/> is of a kind the connector cannot reach.</exception>
    /// <exception cref="ObjectDisposedException">The connector is disposed.</exception>
    public Task<Connection> ConnectAsync(EndPoint remoteEndPoint, IConnectionHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        CheckEndPoint(remoteEndPoint);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var task = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Loop.IsLoopThread)
        {
            Begin(remoteEndPoint, handler, null, task, cancellationToken);
            return task.Task;
        }
        Loop.Post(() =>
        {
            if (_disposed)
            {
                task.TrySetException(ConnectAttempt.Stopped(remoteEndPoint));
                return;
            }
            Begin(remoteEndPoint, handler, null, task, cancellationToken);
        });
        return task.Task;
    }

    /// <summary>
    /// Starts connecting to <paramref name="remoteEndPoint"/>; <paramref name="handler"/> is told
    /// <see cref="IConnectionHandler.OnConnected"/> once connected, or <see cref="IConnectHandler.OnConnectFailed"/>
    /// (never from inside this call). Loop thread only (or before the loop runs).
    /// </summary>
    /// <param name="remoteEndPoint">An <see cref="IPEndPoint"/>, a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/> or a <see cref="DnsEndPoint"/>.</param>
    /// <param name="handler">Serves the connection, or hears why there is none.</param>
    /// <returns>The connect under way, to cancel it with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="remoteEndPoint"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="remoteEndPoint"/> is of a kind the connector cannot reach.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the loop's while it runs.</exception>
    /// <exception cref="ObjectDisposedException">The connector is disposed.</exception>
    public PendingConnect Connect(EndPoint remoteEndPoint, IConnectHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        CheckEndPoint(remoteEndPoint);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Loop.IsRunning && !Loop.IsLoopThread)
        {
            throw new InvalidOperationException($"Connector.Connect runs on the thread of {Loop.Name}; from another thread use ConnectAsync, or Post to the loop");
        }
        return Begin(remoteEndPoint, handler, handler, null, default);
    }

    /// <summary>
    /// Gives up every connect under way (<see cref="ConnectError.Cancelled"/>), lets every connection send what it has
    /// queued, and closes it; connections still sending at <paramref name="drainDeadline"/> are closed anyway. Any
    /// thread; the loop must be running for it to complete.
    /// </summary>
    /// <param name="drainDeadline">How long connections may go on sending what they have queued.</param>
    /// <returns>A task that completes when every connection is closed and its socket released.</returns>
    /// <exception cref="ObjectDisposedException">The connector is disposed.</exception>
    public Task StopAsync(TimeSpan drainDeadline)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Loop.Post(() =>
        {
            CancelAll();
            _connections.BeginStop(drainDeadline);
        });
        return _connections.Drained;
    }

    /// <summary>Gives up every connect under way and closes every connection at once. Safe while the loop runs (the work is posted to it) or after it stopped.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (Loop.IsRunning && !Loop.IsLoopThread)
        {
            Loop.Post(CloseEverything);
        }
        else
        {
            CloseEverything();
        }
    }

    /// <summary>A finished attempt goes back to the pool for the next connect.</summary>
    internal void Return(ConnectAttempt attempt) => _idle.Push(attempt);

    private PendingConnect Begin(EndPoint remoteEndPoint, IConnectionHandler handler, IConnectHandler? callback, TaskCompletionSource<Connection>? task, CancellationToken cancellationToken)
    {
        if (!_idle.TryPop(out ConnectAttempt? attempt))
        {
            attempt = new ConnectAttempt(this);
            _attempts.Add(attempt);
        }
        return attempt.Begin(remoteEndPoint, handler, callback, task, cancellationToken);
    }

    private void CancelAll()
    {
        foreach (ConnectAttempt attempt in _attempts)
        {
            attempt.Cancel(attempt.Generation);
        }
    }

    private void CloseEverything()
    {
        CancelAll();
        _connections.CloseAll(CloseReason.ServerStopping);
        _resources.ReturnBuffers();
    }

    private static void CheckEndPoint(EndPoint remoteEndPoint)
    {
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        if (remoteEndPoint is not DnsEndPoint)
        {
            SockAddr.Family(remoteEndPoint);
        }
    }
}
