using IoMux.Native;
using Microsoft.Extensions.Logging;

namespace IoMux.Transport;

/// <summary>
/// The connections of one owner (a server, or a connector) on one loop: admits a connected socket (a slot, a driver, a handler, a start — and on
/// any failure gives back exactly what was taken), keeps the list, and drains it when the owner stops. A
/// connection leaves the set when its driver has closed the socket, so a finished drain means no socket of
/// this loop is left open. Loop thread only.
/// </summary>
internal sealed class ConnectionSet : IConnectionOwner
{
    private readonly EventLoop _loop;
    private readonly LoopResources _resources;
    private readonly ConnectionOptions _options;
    private readonly int _maxConnections;
    private readonly TcpServerCounters _counters;
    private readonly ILogger _logger;
    private readonly Func<Connection, IConnectionHandler>? _handlerFactory;
    private readonly ConnectionSettings _settings;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Connection? _first;
    private LoopTimer? _deadlineTimer;
    private bool _stopping;

    /// <summary>A set whose sockets get their handler from <paramref name="handlerFactory"/>, unless <see cref="Admit"/> is given one (a connector's are).</summary>
    public ConnectionSet(EventLoop loop, LoopResources resources, ConnectionOptions options, int maxConnections, TcpServerCounters counters, ILogger logger, Func<Connection, IConnectionHandler>? handlerFactory)
    {
        _loop = loop;
        _resources = resources;
        _options = options;
        _maxConnections = maxConnections;
        _counters = counters;
        _logger = logger;
        _handlerFactory = handlerFactory;
        _settings = new ConnectionSettings(options, logger);
    }

    public int Count { get; private set; }

    /// <summary>Completes when, after <see cref="BeginStop"/>, every connection of this loop has released its socket.</summary>
    public Task Drained => _drained.Task;

    /// <summary>
    /// Serves a connected socket (accepted, connected or handed over) as a new connection of this loop, unless over
    /// the limit; <paramref name="handler"/> serves it, or, when null, one from the handler factory. Returns the started
    /// connection, or <see langword="null"/> when it was rejected (the socket is closed then, and no handler was told).
    /// </summary>
    /// <remarks><paramref name="optionsApplied"/>: the socket options were set already (a connector sets them before connecting).</remarks>
    public Connection? Admit(FileDescriptor socket, IConnectionHandler? handler = null, bool optionsApplied = false)
    {
        int fd = socket.Fd;
        if (!_counters.TryOpen(_maxConnections))
        {
            socket.Dispose();
            Reject(fd, RejectReason.OverConnectionLimit);
            return null;
        }
        try
        {
            if (!optionsApplied)
            {
                _options.Socket.ApplyTo(fd);
            }
        }
        catch (SyscallException)
        {
            // The options were validated when the server started, so a refusal here means the peer already reset:
            // the first read reports that the ordinary way.
        }
        Connection connection;
        try
        {
            ConnectionDriver driver = _resources.CreateDriver(socket);
            connection = new Connection(_loop, _counters.NextId(), driver, _settings, this, _resources.Segments);
        }
#pragma warning disable CA1031 // A connection that cannot be set up costs only itself: its slot and socket are given back.
        catch (Exception e)
#pragma warning restore CA1031
        {
            socket.Dispose();
            _counters.SlotReleased();
            TransportLog.SetupFailed(_logger, fd, e.Message);
            Reject(fd, RejectReason.SetupFailed);
            return null;
        }
        Link(connection);
        return Start(connection, fd, handler) ? connection : null;
    }

    /// <summary>Stops admitting; asks every connection to flush and close; closes the rest at <paramref name="deadline"/>.</summary>
    public void BeginStop(TimeSpan deadline)
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        for (Connection? c = _first; c is not null;)
        {
            Connection? next = c.NextInSet;
            c.BeginClose(CloseReason.ServerStopping);
            c = next;
        }
        if (Count == 0)
        {
            _drained.TrySetResult();
            return;
        }
        _deadlineTimer = _loop.Schedule(deadline, () => CloseAll(CloseReason.ServerStopping));
    }

    /// <summary>Closes every connection at once (their sockets go as soon as nothing of theirs is in flight).</summary>
    public void CloseAll(CloseReason reason)
    {
        _stopping = true;
        for (Connection? c = _first; c is not null;)
        {
            Connection? next = c.NextInSet;
            c.CloseNow(reason);
            c = next;
        }
    }

    void IConnectionOwner.Closed(Connection connection)
    {
        if (connection.WasStarted)
        {
            _counters.ConnectionClosed(connection.CloseReason);
        }
    }

    void IConnectionOwner.Released(Connection connection)
    {
        Unlink(connection);
        _counters.SlotReleased();
        if (_stopping && Count == 0)
        {
            _deadlineTimer?.Cancel();
            _drained.TrySetResult();
        }
    }

    private bool Start(Connection connection, int fd, IConnectionHandler? handler)
    {
        try
        {
            connection.Start(handler ?? _handlerFactory!(connection));
        }
        catch (DescriptorRefusedException e)
        {
            TransportLog.DescriptorRefused(_logger, fd, e.Backend, e.Message);
            Reject(fd, RejectReason.DescriptorRefused);
            connection.CloseNow(CloseReason.Error);
            return false;
        }
        catch (SyscallException e)
        {
            TransportLog.RegistrationFailed(_logger, fd, e.Message);
            Reject(fd, RejectReason.SetupFailed);
            connection.CloseNow(CloseReason.Error);
            return false;
        }
#pragma warning disable CA1031 // A failing handler factory costs its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TransportLog.HandlerFactoryFailed(_logger, fd, e.Message, e);
            connection.CloseNow(CloseReason.HandlerFailed);
            return false;
        }
        if (connection.WasStarted)
        {
            _counters.ConnectionStarted();
        }
        return connection.WasStarted;
    }

    private void Link(Connection connection)
    {
        connection.NextInSet = _first;
        if (_first is not null)
        {
            _first.PreviousInSet = connection;
        }
        _first = connection;
        Count++;
    }

    private void Unlink(Connection connection)
    {
        if (connection.PreviousInSet is null)
        {
            _first = connection.NextInSet;
        }
        else
        {
            connection.PreviousInSet.NextInSet = connection.NextInSet;
        }
        if (connection.NextInSet is not null)
        {
            connection.NextInSet.PreviousInSet = connection.PreviousInSet;
        }
        connection.PreviousInSet = connection.NextInSet = null;
        Count--;
    }

    private void Reject(int fd, RejectReason reason)
    {
        _counters.Rejected(reason);
        _options.Trace?.Rejected(fd, reason);
    }
}
