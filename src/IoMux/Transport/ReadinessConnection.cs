using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// A connection served by readiness (select, poll, epoll): reads go to the handler through the loop's
/// shared buffer; <see cref="Write"/> sends at once and queues only what the kernel would not take; a
/// queue above its high watermark pauses reading until it drains to the low one. On EOF the queue is
/// flushed and then the socket closed; on reset, hang-up or error it is closed at once. Whatever ends it,
/// its descriptor, registration, timers and buffers are returned exactly once and the handler hears of it once.
/// </summary>
internal sealed class ReadinessConnection : ServedConnection, ILoopHandler
{
    private readonly ServerLoop _owner;
    private readonly FileDescriptor _socket;
    private readonly WriteQueue _queue;
    private readonly Trigger _trigger;
    private readonly ITransportTrace? _trace;
    private IConnectionHandler? _handler;
    private Interest _interest;
    private bool _registered;
    private bool _readPaused;
    private bool _endOfStream;
    private bool _closing;
    private bool _lingering;
    private LoopTimer? _lingerTimer;
    private bool _dispatching;
    private CloseReason _closingReason;
    private CloseReason? _pendingClose;

    internal ReadinessConnection(ServerLoop owner, FileDescriptor socket, long id)
        : base(owner.Loop, socket.Fd, id)
    {
        _owner = owner;
        _socket = socket;
        _trigger = owner.Options.Trigger;
        _trace = owner.Options.Trace;
        _queue = new WriteQueue(owner.Segments, owner.Options.WriteHighWatermark, owner.Options.EffectiveLowWatermark);
    }

    public override int QueuedBytes => _queue.Length;

    public override bool IsReadPaused => _readPaused;

    /// <inheritdoc/>
    public override bool Write(ReadOnlySpan<byte> data)
    {
        if (IsClosed || _closing || _pendingClose is not null)
        {
            return false;
        }
        if (data.IsEmpty)
        {
            return true;
        }
        if (_queue.IsEmpty)
        {
            int sent = SendNow(data);
            if (sent < 0)
            {
                return false;
            }
            data = data[sent..];
            if (data.IsEmpty)
            {
                return true;
            }
        }
        if (_queue.Append(data))
        {
            _readPaused = true;
        }
        if (!_dispatching)
        {
            UpdateInterest();
        }
        return true;
    }

    /// <inheritdoc/>
    public override void Close() => BeginClose(CloseReason.Local);

    /// <inheritdoc/>
    public override void Abort()
    {
        if (_dispatching)
        {
            _pendingClose = CloseReason.Aborted;
        }
        else
        {
            CloseNow(CloseReason.Aborted);
        }
    }

    /// <summary>Registers the socket for reading and tells the handler. A select descriptor ≥ 1024 throws here, before anything else happens.</summary>
    internal override void Start(IConnectionHandler handler)
    {
        _interest = ReadInterest;
        Loop.Register(_socket, _interest, this, _trigger);
        _registered = true;
        _handler = handler;
        _trace?.Accepted(this);
        StartIdleTimer(_owner.Options.IdleTimeout);
        _dispatching = true;
        try
        {
            handler.OnConnected(this);
        }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HandlerFailed(e);
        }
        _dispatching = false;
        Settle();
    }

    /// <summary>A graceful close (the application's, or the server stopping): no more reads for the handler; close once the queue is flushed and the peer has answered FIN.</summary>
    internal override void BeginClose(CloseReason reason)
    {
        if (IsClosed || _closing)
        {
            return;
        }
        _closing = true;
        _closingReason = reason;
        if (_queue.IsEmpty)
        {
            FinishClosing();
        }
        if (!_dispatching)
        {
            Settle();
        }
    }

    /// <summary>Closes at once with <paramref name="reason"/>; a no-op when already closed.</summary>
    internal override void CloseNow(CloseReason reason)
    {
        if (IsClosed)
        {
            return;
        }
        MarkClosed(reason);
        if (_registered)
        {
            _registered = false;
            Loop.Selector.Unregister(Fd);
        }
        StopIdleTimer();
        _lingerTimer?.Cancel();
        _queue.Clear();
        _socket.Dispose();
        _owner.Release(this, started: _handler is not null);
        NotifyClosed(_handler, _trace, reason);
    }

    void ILoopHandler.OnReady(Readiness readiness)
    {
        if (IsClosed)
        {
            return; // re-queued before it closed
        }
        _dispatching = true;
        if ((readiness & (Readiness.Error | Readiness.Invalid)) != 0)
        {
            Errno pending = (readiness & Readiness.Invalid) != 0 ? Errno.EBADF : Sockets.PendingError(Fd);
            Fail(pending == 0 ? Errno.ECONNRESET : pending);
        }
        else if ((readiness & Readiness.Hangup) != 0)
        {
            // Both directions are shut: nothing sent can arrive, so nothing queued is worth keeping. While lingering
            // that is the expected end (our FIN, then the peer's), not a reset.
            _pendingClose ??= _lingering ? _closingReason : CloseReason.Reset;
        }
        else
        {
            if ((readiness & (Readiness.Read | Readiness.ReadHangup)) != 0 && !_readPaused && !_endOfStream && (!_closing || _lingering))
            {
                ReadAvailable(readiness);
            }
            if ((readiness & Readiness.Write) != 0 && _pendingClose is null)
            {
                Flush();
            }
        }
        _dispatching = false;
        Settle();
    }

    /// <summary>
    /// What reading asks the kernel for. Edge adds RDHUP so that a peer's FIN is named in the event itself: then a
    /// short read proves the socket drained (anything arriving later raises a new edge) unless the event says
    /// the peer hung up, and the read that would only return EAGAIN is saved (mio and tokio do the same).
    /// </summary>
    private Interest ReadInterest => _trigger == Trigger.Edge ? Interest.Read | Interest.ReadHangup : Interest.Read;

    /// <summary>Re-queued edge reads do not know whether a FIN is waiting, so they say so and drain to EAGAIN.</summary>
    private const Readiness RequeuedRead = Readiness.Read | Readiness.ReadHangup;

    /// <summary>Reads until EAGAIN (or, when that is provably all, a short read), a pause, or the turn's budget; hands each chunk to the handler.</summary>
    private void ReadAvailable(Readiness readiness)
    {
        Span<byte> buffer = _owner.ReadBuffer;
        int budget = _owner.Options.ReadBudgetPerTurn;
        while (true)
        {
            int n = Sockets.Receive(Fd, buffer, out Errno errno);
            if (n > 0)
            {
                // Lingering, the peer's late bytes are read only so that the close sends FIN, not RST.
                if (!_lingering)
                {
                    NoteActivity();
                    _trace?.Read(this, n);
                    try
                    {
                        _handler!.OnData(this, buffer[..n]);
                    }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        HandlerFailed(e);
                    }
                    if (_pendingClose is not null || _readPaused || _closing)
                    {
                        return;
                    }
                }
                // A short read drained the socket; level and one-shot are told again of what arrives later, and so is
                // edge (a new edge). Only a FIN that came with this data raises no second edge: edge reads on to
                // EOF when the event carried RDHUP.
                if (n < buffer.Length && (_trigger != Trigger.Edge || (readiness & Readiness.ReadHangup) == 0))
                {
                    return;
                }
                budget -= n;
                if (budget <= 0)
                {
                    // Level and one-shot: the kernel reports the rest next turn. Edge: it never would, so keep our place in line.
                    if (_trigger == Trigger.Edge)
                    {
                        Loop.Requeue(this, RequeuedRead);
                    }
                    return;
                }
                continue;
            }
            if (n == 0)
            {
                _endOfStream = true;
                _trace?.EndOfStream(this);
                if (_lingering)
                {
                    _pendingClose ??= _closingReason;
                }
                else if (_queue.IsEmpty)
                {
                    _pendingClose ??= CloseReason.PeerClosed;
                }
                return;
            }
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno != Errno.EAGAIN)
            {
                Fail(errno);
            }
            return;
        }
    }

    /// <summary>writev of the queued segments until the queue is empty or the kernel's buffer is full.</summary>
    private void Flush()
    {
        Span<ArraySegment<byte>> segments = _owner.GatherScratch;
        while (!_queue.IsEmpty)
        {
            int count = _queue.Gather(segments, out int attempted);
            long sent = Sockets.SendGather(Fd, segments[..count], out Errno errno);
            if (sent < 0)
            {
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                if (errno != Errno.EAGAIN)
                {
                    Fail(errno);
                }
                break;
            }
            NoteActivity();
            bool drained = _queue.Consume((int)sent);
            _trace?.Wrote(this, (int)sent, _queue.Length);
            if (drained)
            {
                ResumeReading();
            }
            if (sent < attempted)
            {
                break; // the kernel's send buffer is full: wait for writability
            }
        }
        if (_queue.IsEmpty)
        {
            if (_endOfStream)
            {
                _pendingClose ??= CloseReason.PeerClosed;
            }
            else if (_closing)
            {
                FinishClosing();
            }
        }
    }

    private void ResumeReading()
    {
        _readPaused = false;
        if (_endOfStream || _closing)
        {
            return;
        }
        // Pause and resume may both happen inside one dispatch, so the kernel never saw Read leave the
        // interest set: with edge triggering no new edge would come for bytes already waiting.
        if (_trigger == Trigger.Edge)
        {
            Loop.Requeue(this, RequeuedRead);
        }
        try
        {
            _handler!.OnWritable(this);
        }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HandlerFailed(e);
        }
    }

    /// <summary>Sends directly; returns bytes sent (0 on EAGAIN) or -1 when the connection failed.</summary>
    private int SendNow(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int n = Sockets.Send(Fd, data, out Errno errno);
            if (n >= 0)
            {
                NoteActivity();
                _trace?.Wrote(this, n, data.Length - n);
                return n;
            }
            if (errno == Errno.EAGAIN)
            {
                return 0;
            }
            if (errno != Errno.EINTR)
            {
                Fail(errno);
                return -1;
            }
        }
    }

    /// <summary>After any activity outside a dispatch, or at its end: close if asked to, else make the kernel's interest match ours.</summary>
    private void Settle()
    {
        if (IsClosed)
        {
            return;
        }
        if (_pendingClose is { } reason)
        {
            CloseNow(reason);
            return;
        }
        UpdateInterest();
    }

    private void UpdateInterest()
    {
        Interest wanted = Interest.None;
        if (!_readPaused && !_endOfStream && (!_closing || _lingering))
        {
            wanted |= ReadInterest;
        }
        if (!_queue.IsEmpty)
        {
            wanted |= Interest.Write;
        }
        if (wanted == Interest.None)
        {
            // Nothing to read and nothing to send: only reachable once EOF or a close request was fully served.
            CloseNow(_closing ? _closingReason : CloseReason.PeerClosed);
            return;
        }
        // One-shot needs re-arming after every delivered event; Modify makes no system call when nothing changed.
        if (wanted != _interest || _trigger == Trigger.OneShot)
        {
            try
            {
                Loop.Selector.Modify(Fd, wanted);
            }
            catch (SyscallException e)
            {
                SetError(e.Errno);
                CloseNow(CloseReason.Error);
                return;
            }
            if (wanted != _interest)
            {
                _trace?.InterestChanged(this, _interest, wanted);
                _interest = wanted;
            }
        }
    }

    /// <summary>
    /// A close was asked for and the queue is empty. Closing a socket with unread input makes the kernel send RST,
    /// which can destroy replies still in flight to the peer; so send FIN (shutdown for writing), read and discard
    /// until the peer's EOF, then close — for at most the linger timeout. A peer already at EOF has nothing unread.
    /// </summary>
    private void FinishClosing()
    {
        if (_endOfStream || !Sockets.ShutdownWrite(Fd))
        {
            _pendingClose ??= _closingReason;
            return;
        }
        if (_lingering)
        {
            return;
        }
        _lingering = true;
        _lingerTimer = Loop.Schedule(_owner.Options.LingerTimeout, () => CloseNow(_closingReason));
        if (_trigger == Trigger.Edge)
        {
            Loop.Requeue(this, RequeuedRead); // Read may never have left the kernel's interest set: no new edge would come
        }
    }

    private void Fail(Errno errno)
    {
        SetError(errno);
        CloseReason reason = ReasonFor(errno);
        if (_dispatching)
        {
            _pendingClose ??= reason;
        }
        else
        {
            CloseNow(reason);
        }
    }

    private void HandlerFailed(Exception e)
    {
        SetHandlerException(e);
        _pendingClose ??= CloseReason.HandlerFailed;
    }
}
