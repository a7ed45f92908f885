using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// A server's connections on one loop: admits a connected socket (a slot, a driver, a handler, a start — and on
/// any failure gives back exactly what was taken), keeps the list, and drains it when the server stops. A
/// connection leaves the set when its driver has closed the socket, so a finished drain means no socket of
/// this loop is left open. Loop thread only.
/// </summary>
internal sealed class ConnectionSet : IConnectionOwner
{
    private readonly TcpServer _server;
    private readonly EventLoop _loop;
    private readonly LoopResources _resources;
    private readonly ConnectionSettings _settings;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Connection? _first;
    private LoopTimer? _deadlineTimer;
    private bool _stopping;

    public ConnectionSet(TcpServer server, EventLoop loop, LoopResources resources)
    {
        _server = server;
        _loop = loop;
        _resources = resources;
        _settings = new ConnectionSettings(server.Options, server.Logger);
    }

    public int Count { get; private set; }

    /// <summary>Completes when, after <see cref="BeginStop"/>, every connection of this loop has released its socket.</summary>
    public Task Drained => _drained.Task;

    private TcpServerOptions Options => _server.Options;

    /// <summary>Serves a connected socket (accepted, or handed over) as a new connection of this loop, unless over the limit.</summary>
    public void Admit(FileDescriptor socket)
    {
        int fd = socket.Fd;
        if (!_server.Counters.TryOpen(Options.MaxConnections))
        {
            socket.Dispose();
            Reject(fd, RejectReason.OverConnectionLimit);
            return;
        }
        try
        {
            Options.Socket.ApplyTo(fd);
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
            connection = new Connection(_loop, _server.Counters.NextId(), driver, _settings, this, _resources.Segments);
        }
#pragma warning disable CA1031 // A connection that cannot be set up costs only itself: its slot and socket are given back.
        catch (Exception e)
#pragma warning restore CA1031
        {
            socket.Dispose();
            _server.Counters.SlotReleased();
            TransportLog.SetupFailed(_server.Logger, fd, e.Message);
            Reject(fd, RejectReason.SetupFailed);
            return;
        }
        Link(connection);
        Start(connection, fd);
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
            _server.Counters.ConnectionClosed(connection.CloseReason);
        }
    }

    void IConnectionOwner.Released(Connection connection)
    {
        Unlink(connection);
        _server.Counters.SlotReleased();
        if (_stopping && Count == 0)
        {
            _deadlineTimer?.Cancel();
            _drained.TrySetResult();
        }
    }

    private void Start(Connection connection, int fd)
    {
        try
        {
            IConnectionHandler handler = _server.HandlerFactory(connection);
            connection.Start(handler);
        }
        catch (DescriptorRefusedException e)
        {
            TransportLog.DescriptorRefused(_server.Logger, fd, e.Backend, e.Message);
            Reject(fd, RejectReason.DescriptorRefused);
            connection.CloseNow(CloseReason.Error);
            return;
        }
        catch (SyscallException e)
        {
            TransportLog.RegistrationFailed(_server.Logger, fd, e.Message);
            Reject(fd, RejectReason.SetupFailed);
            connection.CloseNow(CloseReason.Error);
            return;
        }
#pragma warning disable CA1031 // A failing handler factory costs its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TransportLog.HandlerFactoryFailed(_server.Logger, fd, e.Message, e);
            connection.CloseNow(CloseReason.HandlerFailed);
            return;
        }
        if (connection.WasStarted)
        {
            _server.Counters.ConnectionStarted();
        }
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
        _server.Counters.Rejected(reason);
        Options.Trace?.Rejected(fd, reason);
    }
}
