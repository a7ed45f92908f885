using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// The completion model: one receive is kept in flight while the connection wants input, taking a buffer from the
/// loop's shared provided buffers only when data arrives (an idle connection holds none). It is multishot with a
/// byte limit where the kernel has one (Linux 6.17): one request brings a buffer per completion until the room left
/// below the write queue's high watermark was received, so a large message costs one request instead of one per
/// 64 KiB, and the queue passes its high watermark by less than one buffer, as a single-shot receive (and a
/// readiness read) does; an unlimited multishot kept pulling the socket's backlog into buffers until a cancel
/// reached it (1.9 MB past a 64 KiB high watermark). A pause cancels it; older kernels get single-shot receives,
/// the next asked for once the chunk was delivered. Received bytes written back
/// are queued by reference to their receive buffer, not copied (<see cref="Enqueue"/>). One send of the queue's
/// head segments is in flight at a time, which keeps the bytes in order; what the kernel did not take stays
/// queued. A send is written only as the loop enters the kernel, so it gathers everything queued in the turn.
/// Released, it cancels what is in flight and closes the socket only when the last request completed, so the
/// kernel never touches memory that was given back.
/// </summary>
internal sealed class CompletionDriver : ConnectionDriver, ICompletionTarget, IHeldRequest
{
    private const byte ReceiveOperation = 1;
    private const byte SendOperation = 2;

    // Receive buffers one write queue may hold by reference (256 KiB); past them it copies, as it always did, so a
    // peer that does not read keeps at most these from the loop's shared ring.
    internal const int MaxLentPerConnection = 4;

    private readonly CompletionQueue _completions;
    private readonly LoopResources _resources;
    private readonly int _slot;
    private bool _receiving;
    private bool _receivingMultishot;
    private bool _cancellingReceive;
    private bool _sending;
    private bool _sendHeld;
    private bool _releasing;
    private bool _released;

    /// <summary>Takes a slot in the loop's completion queue; throws (owning nothing) when the queue refuses one.</summary>
    public CompletionDriver(FileDescriptor socket, CompletionQueue completions, LoopResources resources)
        : base(socket)
    {
        _completions = completions;
        _resources = resources;
        _slot = completions.Attach(this);
    }

    public override bool ReportsInsideWait => true;

    /// <summary>Nothing to register: requests name the socket themselves.</summary>
    public override void Start()
    {
    }

    /// <summary>
    /// A single-shot receive in flight is left to complete (its one chunk is delivered, and none is asked for after
    /// it); a multishot one is cancelled, and what it brought before the cancel reached the kernel is delivered.
    /// </summary>
    public override void PauseReceiving()
    {
        if (_receiving && _receivingMultishot && !_cancellingReceive && !_releasing && !_completions.IsClosed)
        {
            _cancellingReceive = true;
            _completions.Cancel(_slot, ReceiveOperation);
        }
    }

    /// <summary>A receive in flight (even one being cancelled) is not doubled: its last completion asks for the next.</summary>
    public override void ResumeReceiving()
    {
        if (_receiving || _releasing || !Owner.WantsInput)
        {
            return;
        }
        _receiving = true;
        WriteQueue queue = Owner.Queue;
        _receivingMultishot = _completions.Receive(_slot, ReceiveOperation, Fd, Math.Max(1, queue.HighWatermark - queue.Length));
    }

    /// <summary>Every byte goes through the queue: a send from the caller's span could not outlive the call.</summary>
    public override int SendNow(ReadOnlySpan<byte> data) => 0;

    /// <summary>
    /// Bytes that lie in the receive buffer being delivered (an echo, a proxy's relay) are queued by reference and sent
    /// from it: no copy, and the buffer goes back to the ring when they were sent. Anything else is copied.
    /// </summary>
    public override bool Enqueue(WriteQueue queue, ReadOnlySpan<byte> data) =>
        queue.LentCount < MaxLentPerConnection && _completions.TryLend(data, out ArraySegment<byte> segment, out int token)
            ? queue.AppendLent(segment, _completions, token)
            : queue.Append(data);

    /// <summary>Held until the loop enters the kernel (<see cref="CompletionQueue.HoldUntilEnter"/>), which submits it either way.</summary>
    public override void SendQueued()
    {
        if (_sending || _sendHeld || _releasing || Owner.Queue.IsEmpty)
        {
            return;
        }
        _sendHeld = true;
        _completions.HoldUntilEnter(this);
    }

    void IHeldRequest.SubmitHeld()
    {
        _sendHeld = false;
        WriteQueue queue = Owner.Queue;
        // No send starts while one is held (SendQueued holds only when none is in flight): a release may have come since.
        if (_releasing || queue.IsEmpty)
        {
            return;
        }
        Span<ArraySegment<byte>> segments = _resources.GatherScratch.AsSpan(0, CompletionQueue.MaxSendSegments);
        int count = queue.Gather(segments, out _);
        _sending = true;
        _completions.Send(_slot, SendOperation, Fd, segments[..count]);
    }

    public override void Release()
    {
        if (_releasing)
        {
            return;
        }
        _releasing = true;
        if (_completions.IsClosed)
        {
            // The queue gave up on what it could not reap; no completion will come for it.
            _receiving = _sending = false;
        }
        else
        {
            if (_receiving)
            {
                _completions.Cancel(_slot, ReceiveOperation);
            }
            if (_sending)
            {
                _completions.Cancel(_slot, SendOperation);
            }
        }
        ReleaseWhenIdle();
    }

    void ICompletionTarget.OnCompletion(byte operation, int result, ReadOnlySpan<byte> received)
    {
        if (operation == ReceiveOperation)
        {
            // A multishot receive stays in flight until its last completion (no F_MORE).
            bool ended = !_completions.IsInFlight(_slot, ReceiveOperation);
            bool cancelled = _cancellingReceive;
            if (ended)
            {
                _receiving = false;
                _cancellingReceive = false;
            }
            if (!_releasing)
            {
                Received(result, received, ended, cancelled);
            }
        }
        else
        {
            _sending = false;
            if (!_releasing)
            {
                Sent(result);
            }
        }
        ReleaseWhenIdle();
    }

    void ICompletionTarget.OnQueueClosing()
    {
        Owner.Failed(Errno.ECANCELED);
        Release();
    }

    private void Received(int result, ReadOnlySpan<byte> received, bool ended, bool cancelled)
    {
        if (result > 0)
        {
            Owner.Received(received);
        }
        else if (result == 0)
        {
            Owner.InputEnded();
            return;
        }
        else if (result == -(int)Errno.EINVAL && _receivingMultishot && ended)
        {
            // A kernel before 6.17 has no limit for multishot receives: single-shot ones from now on, for the whole loop.
            _completions.MultishotReceives = false;
        }
        // ECANCELED after our pause's cancel: the receive stopped as asked. ENOBUFS: every shared buffer was taken
        // within one batch; they are back now, so ask again.
        else if (!(result == -(int)Errno.ECANCELED && cancelled) && result is not (-(int)Errno.EINTR or -(int)Errno.EAGAIN or -(int)Errno.ENOBUFS))
        {
            Owner.Failed((Errno)(-result));
            return;
        }
        if (ended)
        {
            ResumeReceiving();
        }
    }

    private void Sent(int result)
    {
        if (result >= 0)
        {
            Owner.Sent(result);
        }
        else if (result is not (-(int)Errno.EINTR or -(int)Errno.EAGAIN))
        {
            Owner.Failed((Errno)(-result));
            return;
        }
        SendQueued();
    }

    /// <summary>Once released and nothing is in flight: close the socket and free the slot — once.</summary>
    private void ReleaseWhenIdle()
    {
        if (!_releasing || _receiving || _sending || _released)
        {
            return;
        }
        _released = true;
        Socket.Dispose();
        if (!_completions.IsClosed)
        {
            _completions.Detach(_slot);
        }
        Owner.DriverReleased();
    }
}
