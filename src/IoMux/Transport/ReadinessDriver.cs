using System.Runtime.CompilerServices;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// The readiness model: the socket is registered with the loop's selector (any backend, any trigger); when it is
/// readable, recv into the loop's shared buffer until EAGAIN, a pause or the turn's budget; when writable, writev
/// the queue's segments until it is empty or the kernel's buffer is full. Interest follows what the connection
/// wants, changed once per event at its end (one-shot is re-armed there too).
/// </summary>
internal sealed class ReadinessDriver : ConnectionDriver, ILoopHandler
{
    /// <summary>Re-queued edge reads do not know whether a FIN is waiting, so they say so and drain to EAGAIN.</summary>
    private const Readiness RequeuedRead = Readiness.Read | Readiness.ReadHangup;

    private readonly EventLoop _loop;
    private readonly LoopResources _resources;
    private readonly byte[] _readBuffer;
    private readonly int _readBufferSize;
    private readonly Trigger _trigger;
    private readonly int _readBudget;
    private readonly ITransportTrace? _trace;
    private Interest _interest;
    private bool _registered;
    private bool _inEvent;
    private bool _interestStale;
    private bool _pausedSinceRead;
    private bool _released;

    public ReadinessDriver(FileDescriptor socket, EventLoop loop, LoopResources resources, ConnectionOptions options)
        : base(socket)
    {
        _loop = loop;
        _resources = resources;
        _readBuffer = resources.ReadBuffer;
        _readBufferSize = options.ReadBufferSize;
        _trigger = options.Trigger;
        _readBudget = options.ReadBudgetPerTurn;
        _trace = options.Trace;
    }

    public override bool ReportsInsideWait => false;

    /// <summary>
    /// What reading asks the kernel for. Edge adds RDHUP so that a peer's FIN is named in the event itself: then a
    /// short read proves the socket drained (anything arriving later raises a new edge) unless the event says
    /// the peer hung up, and the read that would only return EAGAIN is saved (mio and tokio do the same).
    /// </summary>
    private Interest ReadInterest => _trigger == Trigger.Edge ? Interest.Read | Interest.ReadHangup : Interest.Read;

    /// <summary>Registers for reading; a selector that refuses the descriptor (select stops at 1024) throws here.</summary>
    public override void Start()
    {
        _interest = ReadInterest;
        _loop.Register(Socket, _interest, this, _trigger);
        _registered = true;
    }

    public override void PauseReceiving()
    {
        _pausedSinceRead = true;
        UpdateInterestOutsideEvent();
    }

    public override void ResumeReceiving()
    {
        if (_released)
        {
            return;
        }
        // Paused mid-drain, bytes may wait that raise no new edge (and pause and resume may both fall in one
        // dispatch, so the kernel never saw Read leave the interest set): read them next turn ourselves.
        if (_trigger == Trigger.Edge && _pausedSinceRead)
        {
            _loop.Requeue(this, RequeuedRead);
        }
        _pausedSinceRead = false;
        UpdateInterestOutsideEvent();
    }

    // A call of its own: it runs inside the handler's callback, and the 64-bit JIT does not inline a P/Invoke into a
    // try region, so send(2) inlined into the callback would go through an IL stub (a call and a frame more per write).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public override int SendNow(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int n = Sockets.Send(Fd, data, out Errno errno);
            if (n >= 0)
            {
                return n;
            }
            if (errno == Errno.EAGAIN)
            {
                return 0;
            }
            if (errno != Errno.EINTR)
            {
                Owner.Failed(errno);
                return -1;
            }
        }
    }

    /// <summary>Asks for writability; the queue is flushed when the kernel has room.</summary>
    public override void SendQueued() => UpdateInterestOutsideEvent();

    public override void Release()
    {
        if (_released)
        {
            return;
        }
        _released = true;
        if (_registered && !_loop.Selector.IsDisposed)
        {
            _loop.Selector.Unregister(Fd);
        }
        _registered = false;
        Socket.Dispose();
        Owner.DriverReleased();
    }

    void ILoopHandler.OnReady(Readiness readiness)
    {
        if (_released)
        {
            return; // re-queued before it closed
        }
        _inEvent = true;
        if ((readiness & (Readiness.Error | Readiness.Invalid)) != 0)
        {
            Errno pending = (readiness & Readiness.Invalid) != 0 ? Errno.EBADF : Sockets.PendingError(Fd);
            Owner.Failed(pending == 0 ? Errno.ECONNRESET : pending);
        }
        else if ((readiness & Readiness.Hangup) != 0 && !Owner.WantsInput)
        {
            Owner.HungUp();
        }
        else
        {
            // A hang-up while input is wanted (a half-closed connection whose peer's FIN just came) may follow data
            // still unread: read to the end first.
            if ((readiness & (Readiness.Read | Readiness.ReadHangup | Readiness.Hangup)) != 0 && Owner.WantsInput)
            {
                ReadAvailable(readiness);
            }
            if ((readiness & Readiness.Write) != 0 && !_released)
            {
                Flush();
                _interestStale = true; // the queue may have drained
            }
        }
        _inEvent = false;
        // What the connection wants changes only through the calls that mark it stale (or a flush), so an event that
        // changed nothing skips the comparison; one-shot is re-armed after every event.
        if (_interestStale || _trigger == Trigger.OneShot)
        {
            _interestStale = false;
            UpdateInterest();
        }
    }

    /// <summary>Reads until EAGAIN (or, when that is provably all, a short read), until input is no longer wanted, or the turn's budget is spent.</summary>
    private void ReadAvailable(Readiness readiness)
    {
        Span<byte> buffer = _readBuffer.AsSpan(0, _readBufferSize);
        int budget = _readBudget;
        _pausedSinceRead = false;
        while (true)
        {
            int n = Sockets.Receive(Fd, buffer, out Errno errno);
            if (n > 0)
            {
                Owner.Received(buffer[..n]);
                if (_released || !Owner.WantsInput)
                {
                    return;
                }
                // A short read drained the socket; level and one-shot are told again of what arrives later, and so is
                // edge (a new edge). Only a FIN that came with this data raises no second edge: edge reads on to
                // EOF when the event carried RDHUP.
                if (n < buffer.Length && (_trigger != Trigger.Edge || (readiness & (Readiness.ReadHangup | Readiness.Hangup)) == 0))
                {
                    return;
                }
                budget -= n;
                if (budget <= 0)
                {
                    // Level and one-shot: the kernel reports the rest next turn. Edge: it never would, so keep our place in line.
                    if (_trigger == Trigger.Edge)
                    {
                        _loop.Requeue(this, RequeuedRead);
                    }
                    return;
                }
                continue;
            }
            if (n == 0)
            {
                Owner.InputEnded();
                return;
            }
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno != Errno.EAGAIN)
            {
                Owner.Failed(errno);
            }
            return;
        }
    }

    /// <summary>writev of the queued segments until the queue is empty or the kernel's buffer is full.</summary>
    private void Flush()
    {
        WriteQueue queue = Owner.Queue;
        Span<ArraySegment<byte>> segments = _resources.GatherScratch;
        while (!queue.IsEmpty && !_released)
        {
            int count = queue.Gather(segments, out int attempted);
            long sent = Sockets.SendGather(Fd, segments[..count], out Errno errno);
            if (sent < 0)
            {
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                if (errno != Errno.EAGAIN)
                {
                    Owner.Failed(errno);
                }
                return;
            }
            Owner.Sent((int)sent);
            if (sent < attempted)
            {
                return; // the kernel's send buffer is full: wait for writability
            }
        }
    }

    /// <summary>Inside an event, the change waits for the event's end (one system call for all of it).</summary>
    private void UpdateInterestOutsideEvent()
    {
        if (_inEvent)
        {
            _interestStale = true;
        }
        else
        {
            UpdateInterest();
        }
    }

    /// <summary>Makes the kernel's interest match what the connection wants; one-shot is re-armed (Modify makes no system call when nothing changed).</summary>
    private void UpdateInterest()
    {
        if (_released)
        {
            return;
        }
        Interest wanted = (Owner.WantsInput ? ReadInterest : Interest.None) | (Owner.Queue.IsEmpty ? Interest.None : Interest.Write);
        if (wanted == _interest && _trigger != Trigger.OneShot)
        {
            return;
        }
        try
        {
            if (wanted == Interest.None)
            {
                // Wanting nothing but still open: nothing to watch until the connection wants something again.
                if (_registered)
                {
                    _loop.Selector.Unregister(Fd);
                    _registered = false;
                }
            }
            else if (!_registered)
            {
                _loop.Register(Socket, wanted, this, _trigger);
                _registered = true;
            }
            else
            {
                _loop.Selector.Modify(Fd, wanted);
            }
        }
        catch (SyscallException e)
        {
            Owner.Failed(e.Errno);
            return;
        }
        if (wanted != _interest)
        {
            _trace?.InterestChanged(Owner, _interest, wanted);
            _interest = wanted;
        }
    }
}
