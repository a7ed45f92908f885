using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// The readiness model on any backend and trigger: when the socket is readable, recvmmsg a batch at a time until
/// the kernel has no more or the turn's budget is spent, and send the replies the handler queued after each batch in
/// one sendmmsg; when the kernel had no room, wait for writability. Interest follows the queue, changed once per
/// event at its end (one-shot is re-armed there too).
/// </summary>
internal sealed unsafe class ReadinessDatagramDriver : DatagramDriver, ILoopHandler
{
    private readonly EventLoop _loop;
    private readonly Trigger _trigger;
    private readonly int _budget;
    private readonly MessageBatch _receive;
    private readonly MessageBatch _send;
    private Interest _interest;
    private bool _registered;
    private bool _inEvent;
    private bool _released;

    public ReadinessDatagramDriver(UdpEndpoint owner, FileDescriptor socket, EventLoop loop, UdpEndpointOptions options)
        : base(owner, socket)
    {
        _loop = loop;
        _trigger = options.Trigger;
        _budget = options.ReceiveBudgetPerTurn;
        _receive = new MessageBatch(options.BatchSize, options.MaxDatagramSize);
        _send = new MessageBatch(options.BatchSize, 0);
    }

    public override void Start()
    {
        _interest = Interest.Read;
        _loop.Register(Socket, _interest, this, _trigger);
        _registered = true;
    }

    public override void SendQueued()
    {
        if (!_inEvent)
        {
            UpdateInterest();
        }
    }

    /// <summary>Nothing to schedule: a batch ends inside the event that read it, and <see cref="ReceiveAvailable"/> flushes there.</summary>
    public override void FlushAfterBatch()
    {
    }

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
        _receive.Dispose();
        _send.Dispose();
    }

    void ILoopHandler.OnReady(Readiness readiness)
    {
        if (_released)
        {
            return; // re-queued before it closed
        }
        _inEvent = true;
        try
        {
            if ((readiness & Readiness.Error) != 0)
            {
                // An ICMP error on a connected socket: reading SO_ERROR clears it, and the socket serves on.
                Errno pending = Sockets.PendingError(Fd);
                if (pending != 0)
                {
                    Owner.ReportError(pending);
                }
            }
            if ((readiness & (Readiness.Read | Readiness.Error)) != 0 && !_released)
            {
                ReceiveAvailable();
            }
            if ((readiness & Readiness.Write) != 0 && !_released)
            {
                Owner.SendBatches(Fd, _send);
            }
        }
        finally
        {
            _inEvent = false;
        }
        UpdateInterest();
    }

    /// <summary>recvmmsg until the kernel has nothing more (a short batch), or the turn's budget is spent; each batch's replies leave in one sendmmsg.</summary>
    private void ReceiveAvailable()
    {
        int budget = _budget;
        while (budget > 0 && !_released)
        {
            int asked = Math.Min(_receive.Capacity, budget);
            int n = DatagramSockets.Receive(Fd, _receive, asked, out Errno errno);
            if (n < 0)
            {
                if (errno == Errno.EAGAIN)
                {
                    return;
                }
                if (errno != Errno.EINTR)
                {
                    // An ICMP error of a connected socket's earlier send: told, cleared, and reading goes on.
                    Owner.ReportError(errno);
                }
                budget--;
                continue;
            }
            Owner.ReceivedBatch(n);
            Owner.BeginBatch();
            try
            {
                for (int i = 0; i < n && !Owner.IsClosed; i++)
                {
                    ReadOnlySpan<byte> payload = _receive.Received(i, out int length, out _, out SocketAddressBytes* source);
                    Owner.Deliver(payload, source, length);
                }
            }
            finally
            {
                Owner.EndBatch();
            }
            if (_released)
            {
                return;
            }
            Owner.SendBatches(Fd, _send);
            budget -= n;
            if (n < asked)
            {
                return; // drained: level and one-shot are told again of what arrives later, and edge gets a new edge
            }
        }
        // Budget spent with datagrams still waiting. Level and one-shot: the kernel reports them next turn. Edge: it
        // never would, so keep our place in line.
        if (_trigger == Trigger.Edge && !_released)
        {
            _loop.Requeue(this, Readiness.Read);
        }
    }

    /// <summary>Read always; write while datagrams wait for room. One-shot is re-armed (Modify makes no system call when nothing changed otherwise).</summary>
    private void UpdateInterest()
    {
        if (_released)
        {
            return;
        }
        Interest wanted = Owner.Queue.IsEmpty ? Interest.Read : Interest.Read | Interest.Write;
        if (wanted == _interest && _trigger != Trigger.OneShot)
        {
            return;
        }
        try
        {
            _loop.Selector.Modify(Fd, wanted);
        }
        catch (SyscallException e)
        {
            Owner.ReportError(e.Errno);
            return;
        }
        _interest = wanted;
    }
}
