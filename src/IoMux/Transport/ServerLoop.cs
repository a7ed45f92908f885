using System.Buffers;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// A server's presence on one event loop: its own listener, the loop-wide read buffer and segment pool
/// its connections borrow, and the list of those connections. Loop thread only.
/// </summary>
internal sealed class ServerLoop : ILoopHandler
{
    private readonly TcpServer _server;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileDescriptor? _listener;
    private bool _listening;
    private FileDescriptor? _reserve;
    private LoopTimer? _resumeTimer;
    private LoopTimer? _deadlineTimer;
    private bool _exhaustionLogged;
    private bool _stopping;
    private byte[]? _readBuffer;
    private ServedConnection? _first;

    public ServerLoop(TcpServer server, EventLoop loop, FileDescriptor listener)
    {
        _server = server;
        Loop = loop;
        _listener = listener;
        _readBuffer = ArrayPool<byte>.Shared.Rent(server.Options.ReadBufferSize);
    }

    public EventLoop Loop { get; }

    public TcpServerOptions Options => _server.Options;

    public SegmentPool Segments { get; } = new();

    public Span<byte> ReadBuffer => _readBuffer.AsSpan(0, Options.ReadBufferSize);

    public ArraySegment<byte>[] GatherScratch { get; } = new ArraySegment<byte>[Sockets.MaxGatherSegments];

    public int ConnectionCount { get; private set; }

    /// <summary>Completes when, after <see cref="BeginStop"/>, every connection on this loop has closed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>First turn on the loop: take a spare descriptor for EMFILE and start listening.</summary>
    public void StartAccepting()
    {
        if (_listener is null)
        {
            return;
        }
        TakeReserve();
        Listen();
    }

    void ILoopHandler.OnReady(Readiness readiness)
    {
        if (!_listening)
        {
            return;
        }
        for (int i = 0; i < Options.AcceptBudgetPerTurn; i++)
        {
            int fd = Sockets.Accept(_listener!.Fd, out Errno errno);
            if (fd >= 0)
            {
                Admit(new FileDescriptor(fd));
                continue;
            }
            switch (errno)
            {
                case Errno.EAGAIN:
                    Rearm();
                    return;
                case Errno.EINTR or Errno.ECONNABORTED:
                    continue; // that one connection is gone; the next may be fine
                case Errno.EMFILE or Errno.ENFILE:
                    ShedWithoutDescriptors(errno);
                    return;
                default:
                    Pause($"accept on fd {_listener.Fd} failed: {errno}; pausing accepts for {Options.AcceptPause.TotalMilliseconds:0} ms");
                    return;
            }
        }
        // Budget spent with connections still waiting: edge would not report them again, so keep our place.
        if (Options.Trigger == Trigger.Edge)
        {
            Loop.Requeue(this, Readiness.Read);
        }
        Rearm();
    }

    /// <summary>Stop accepting; ask every connection to flush and close; abort the rest at <paramref name="deadline"/>.</summary>
    public void BeginStop(TimeSpan deadline)
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        CloseListener();
        for (ServedConnection? c = _first; c is not null;)
        {
            ServedConnection? next = c.Next;
            c.BeginClose(CloseReason.ServerStopping);
            c = next;
        }
        if (ConnectionCount == 0)
        {
            _drained.TrySetResult();
            return;
        }
        _deadlineTimer = Loop.Schedule(deadline, () => AbortAll(CloseReason.ServerStopping));
    }

    /// <summary>Closes the listener and every connection at once and returns the loop's buffers.</summary>
    public void CloseEverything()
    {
        _stopping = true;
        CloseListener();
        AbortAll(CloseReason.ServerStopping);
        if (_readBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = null;
        }
    }

    /// <summary>Called once per connection, from its close; <paramref name="started"/> is false for one closed before its handler saw it.</summary>
    public void Release(ServedConnection connection, bool started)
    {
        if (connection.Previous is null)
        {
            _first = connection.Next;
        }
        else
        {
            connection.Previous.Next = connection.Next;
        }
        if (connection.Next is not null)
        {
            connection.Next.Previous = connection.Previous;
        }
        connection.Previous = connection.Next = null;
        ConnectionCount--;
        _server.Counters.ConnectionClosed(started);
        if (_stopping && ConnectionCount == 0)
        {
            _deadlineTimer?.Cancel();
            _drained.TrySetResult();
        }
    }

    /// <summary>Serves a connected socket (accepted, or handed over) as a new connection of this loop, unless over the limit.</summary>
    internal void Admit(FileDescriptor socket)
    {
        _exhaustionLogged = false;
        int fd = socket.Fd;
        if (!_server.Counters.TryOpen(Options.MaxConnections))
        {
            socket.Dispose();
            _server.Counters.Rejected(RejectReason.OverConnectionLimit);
            Options.Trace?.Rejected(fd, RejectReason.OverConnectionLimit);
            return;
        }
        try
        {
            Sockets.SetNoDelay(fd);
        }
        catch (SyscallException)
        {
            // The peer may already have reset; the first read reports that the ordinary way.
        }
        ServedConnection connection = Options.IoModel == IoModel.Completion
            ? new CompletionConnection(this, socket, _server.Counters.NextId())
            : new ReadinessConnection(this, socket, _server.Counters.NextId());
        Link(connection);
        try
        {
            IConnectionHandler handler = _server.HandlerFactory(connection);
            connection.Start(handler);
        }
        catch (DescriptorRefusedException e)
        {
            Options.Log?.Invoke($"{e.Message}; connection closed, others keep being served");
            _server.Counters.Rejected(RejectReason.DescriptorRefused);
            Options.Trace?.Rejected(fd, RejectReason.DescriptorRefused);
            connection.CloseNow(CloseReason.Error);
            return;
        }
        catch (SyscallException e)
        {
            Options.Log?.Invoke($"fd {fd} could not be registered ({e.Message}); connection closed");
            connection.CloseNow(CloseReason.Error);
            return;
        }
#pragma warning disable CA1031 // A failing handler factory costs its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Options.Log?.Invoke($"the handler factory failed for fd {fd}: {e.Message}; connection closed");
            connection.CloseNow(CloseReason.HandlerFailed);
            return;
        }
        _server.Counters.ConnectionStarted();
    }

    private void Link(ServedConnection connection)
    {
        connection.Next = _first;
        if (_first is not null)
        {
            _first.Previous = connection;
        }
        _first = connection;
        ConnectionCount++;
    }

    /// <summary>
    /// The process is out of descriptors, so accept fails and the pending connection stays in the backlog, ready
    /// again at once: a busy loop. Give back the spare descriptor, accept and close what waits (the clients see a
    /// clean close instead of a hang), and take the spare again. With no spare to give, rest the listener.
    /// </summary>
    private void ShedWithoutDescriptors(Errno errno)
    {
        if (!_exhaustionLogged)
        {
            _exhaustionLogged = true;
            Options.Log?.Invoke($"accept failed: {errno} (out of descriptors); closing new connections until some are free");
        }
        if (_reserve is null)
        {
            Pause($"accept failed: {errno} and no spare descriptor is left; pausing accepts for {Options.AcceptPause.TotalMilliseconds:0} ms");
            return;
        }
        _reserve.Dispose();
        _reserve = null;
        Errno stoppedBy = 0;
        for (int i = 0; i < Options.AcceptBudgetPerTurn; i++)
        {
            int fd = Sockets.Accept(_listener!.Fd, out stoppedBy);
            if (fd < 0)
            {
                break;
            }
            new FileDescriptor(fd).Dispose();
            stoppedBy = 0;
            _server.Counters.Rejected(RejectReason.OutOfDescriptors);
            Options.Trace?.Rejected(fd, RejectReason.OutOfDescriptors);
        }
        if (!TakeReserve())
        {
            Pause($"no spare descriptor could be taken back; pausing accepts for {Options.AcceptPause.TotalMilliseconds:0} ms");
            return;
        }
        if (stoppedBy is not (0 or Errno.EAGAIN))
        {
            Pause($"accept failed while shedding: {stoppedBy}; pausing accepts for {Options.AcceptPause.TotalMilliseconds:0} ms");
            return;
        }
        // Budget spent with clients still waiting: edge would not report them again. At EAGAIN the backlog is
        // empty and the next client raises a new edge, so re-queueing then would only spin.
        if (stoppedBy == 0 && Options.Trigger == Trigger.Edge)
        {
            Loop.Requeue(this, Readiness.Read);
        }
        Rearm();
    }

    private bool TakeReserve()
    {
        if (_reserve is not null)
        {
            return true;
        }
        try
        {
            _reserve = Descriptors.EventFd();
            return true;
        }
        catch (SyscallException)
        {
            return false;
        }
    }

    private void Pause(string message)
    {
        Options.Log?.Invoke(message);
        Unlisten();
        if (_resumeTimer is null)
        {
            _resumeTimer = Loop.Schedule(Options.AcceptPause, Resume);
        }
        else
        {
            _resumeTimer.Reschedule(Options.AcceptPause);
        }
    }

    private void Resume()
    {
        if (_stopping || _listener is null)
        {
            return;
        }
        TakeReserve();
        Listen();
    }

    private void Listen()
    {
        if (_listening || _listener is null)
        {
            return;
        }
        Loop.Register(_listener, Interest.Read, this, Options.Trigger);
        _listening = true;
    }

    private void Unlisten()
    {
        if (_listening)
        {
            _listening = false;
            Loop.Selector.Unregister(_listener!.Fd);
        }
    }

    private void Rearm()
    {
        if (_listening && Options.Trigger == Trigger.OneShot)
        {
            Loop.Selector.Modify(_listener!.Fd, Interest.Read);
        }
    }

    private void CloseListener()
    {
        Unlisten();
        _resumeTimer?.Cancel();
        _listener?.Dispose();
        _listener = null;
        _reserve?.Dispose();
        _reserve = null;
    }

    private void AbortAll(CloseReason reason)
    {
        while (_first is not null)
        {
            _first.CloseNow(reason);
        }
    }
}
