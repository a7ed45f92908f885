using IoMux.Native;
using Microsoft.Extensions.Logging;

namespace IoMux.Transport;

/// <summary>
/// A server's listener on one loop: accepts up to a budget per turn and hands each socket on; keeps a spare
/// descriptor so that running out of descriptors sheds waiting clients instead of spinning; rests the listener
/// after a failure it cannot shed. Loop thread only.
/// </summary>
internal sealed class Acceptor : ILoopHandler
{
    private readonly EventLoop _loop;
    private readonly TcpServerOptions _options;
    private readonly TcpServerCounters _counters;
    private readonly Action<FileDescriptor> _admit;
    private readonly ILogger _logger;
    private FileDescriptor? _listener;
    private FileDescriptor? _reserve;
    private LoopTimer? _resumeTimer;
    private bool _listening;
    private bool _exhaustionLogged;

    public Acceptor(EventLoop loop, FileDescriptor listener, TcpServerOptions options, TcpServerCounters counters, ILogger logger, Action<FileDescriptor> admit)
    {
        _logger = logger;
        _loop = loop;
        _listener = listener;
        _options = options;
        _counters = counters;
        _admit = admit;
    }

    /// <summary>First turn on the loop: take a spare descriptor for EMFILE and start listening.</summary>
    public void Start()
    {
        if (_listener is null)
        {
            return;
        }
        TakeReserve();
        Listen();
    }

    /// <summary>Stops accepting for good and closes the listener and the spare descriptor.</summary>
    public void Close()
    {
        Unlisten();
        _resumeTimer?.Cancel();
        _listener?.Dispose();
        _listener = null;
        _reserve?.Dispose();
        _reserve = null;
    }

    void ILoopHandler.OnReady(Readiness readiness)
    {
        if (!_listening)
        {
            return;
        }
        for (int i = 0; i < _options.AcceptBudgetPerTurn; i++)
        {
            int fd = Sockets.Accept(_listener!.Fd, out Errno errno);
            if (fd >= 0)
            {
                _exhaustionLogged = false;
                _admit(new FileDescriptor(fd));
                if (!_listening)
                {
                    return; // a handler stopped the server
                }
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
                    Pause($"accept failed: {errno}");
                    return;
            }
        }
        // Budget spent with connections still waiting: edge would not report them again, so keep our place.
        if (_options.Trigger == Trigger.Edge)
        {
            _loop.Requeue(this, Readiness.Read);
        }
        Rearm();
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
            TransportLog.OutOfDescriptors(_logger, _listener!.Fd, errno);
        }
        if (_reserve is null)
        {
            Pause($"accept failed: {errno} and no spare descriptor is left");
            return;
        }
        _reserve.Dispose();
        _reserve = null;
        Errno stoppedBy = 0;
        for (int i = 0; i < _options.AcceptBudgetPerTurn; i++)
        {
            int fd = Sockets.Accept(_listener!.Fd, out stoppedBy);
            if (fd < 0)
            {
                break;
            }
            new FileDescriptor(fd).Dispose();
            stoppedBy = 0;
            _counters.Rejected(RejectReason.OutOfDescriptors);
            _options.Trace?.Rejected(fd, RejectReason.OutOfDescriptors);
        }
        if (!TakeReserve())
        {
            Pause("no spare descriptor could be taken back");
            return;
        }
        if (stoppedBy is not (0 or Errno.EAGAIN))
        {
            Pause($"accept failed while shedding: {stoppedBy}");
            return;
        }
        // Budget spent with clients still waiting: edge would not report them again. At EAGAIN the backlog is
        // empty and the next client raises a new edge, so re-queueing then would only spin.
        if (stoppedBy == 0 && _options.Trigger == Trigger.Edge)
        {
            _loop.Requeue(this, Readiness.Read);
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

    private void Pause(string cause)
    {
        TransportLog.AcceptsPaused(_logger, _listener?.Fd ?? -1, cause, _options.AcceptPause.TotalMilliseconds);
        Unlisten();
        if (_resumeTimer is null)
        {
            _resumeTimer = _loop.Schedule(_options.AcceptPause, Resume);
        }
        else
        {
            _resumeTimer.Reschedule(_options.AcceptPause);
        }
    }

    private void Resume()
    {
        if (_listener is null)
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
        _loop.Register(_listener, Interest.Read, this, _options.Trigger);
        _listening = true;
    }

    private void Unlisten()
    {
        if (_listening)
        {
            _listening = false;
            if (!_loop.Selector.IsDisposed)
            {
                _loop.Selector.Unregister(_listener!.Fd);
            }
        }
    }

    private void Rearm()
    {
        if (_listening && _options.Trigger == Trigger.OneShot)
        {
            _loop.Selector.Modify(_listener!.Fd, Interest.Read);
        }
    }
}
