using System.Runtime.InteropServices;
using IoMux.Native;
using static IoMux.Native.IoUringOps;

namespace IoMux.Transport;

/// <summary>
/// A connection served by completions (io_uring): one receive is kept in flight, taking a buffer from the loop's
/// shared provided-buffer ring only when data arrives (an idle connection holds no buffer); the chunk goes to the
/// handler from that buffer, which is recycled when the handler returns, and the next receive is submitted unless
/// reading is paused. Single-shot on purpose: a multishot receive keeps pulling the socket's backlog into buffers
/// until a cancel reaches it, which overshot a 64 KiB high watermark by up to 1.9 MB in the pause test; one receive
/// at a time overshoots by at most one 16 KiB chunk, as the readiness transport does by at most one read. <see cref="Write"/>
/// queues and keeps one send of the queue's head segments in flight; what the kernel did not take stays queued.
/// Backpressure, half-close, reset and close follow <see cref="ReadinessConnection"/>: a queue above its high
/// watermark stops the next receive until it drains to the low one; EOF flushes then closes; errors close at once.
/// Closing cancels whatever is in flight, and the socket, the queue's segments and the slot are released only
/// when the last request has completed, so the kernel never writes to or reads from memory that was given back.
/// </summary>
internal sealed unsafe class CompletionConnection : ServedConnection, ICompletionTarget
{
    private const byte ReceiveOperation = 1;
    private const byte SendOperation = 2;

    // A send gathers at most this many queue segments (16 KiB each): 256 KiB per request.
    private const int MaxSendSegments = 16;

    private readonly ServerLoop _owner;
    private readonly FileDescriptor _socket;
    private readonly WriteQueue _queue;
    private readonly IoUringCompletions _ring;
    private readonly ITransportTrace? _trace;
    private readonly int _slot;
    private IConnectionHandler? _handler;
    private LoopTimer? _lingerTimer;
    private bool _receiving;
    private bool _sending;
    private bool _readPaused;
    private bool _endOfStream;
    private bool _closing;
    private bool _lingering;
    private bool _released;
    private CloseReason _closingReason;
    private MessageHeader* _message;

    internal CompletionConnection(ServerLoop owner, FileDescriptor socket, long id)
        : base(owner.Loop, socket.Fd, id)
    {
        _owner = owner;
        _socket = socket;
        _trace = owner.Options.Trace;
        _queue = new WriteQueue(owner.Segments, owner.Options.WriteHighWatermark, owner.Options.EffectiveLowWatermark);
        _ring = ((IoUringSelector)owner.Loop.Selector).Completions;
        _slot = _ring.Attach(this);
    }

    public override int QueuedBytes => _queue.Length;

    public override bool IsReadPaused => _readPaused;

    /// <inheritdoc/>
    public override bool Write(ReadOnlySpan<byte> data)
    {
        if (IsClosed || _closing)
        {
            return false;
        }
        if (data.IsEmpty)
        {
            return true;
        }
        if (_queue.Append(data))
        {
            _readPaused = true;
        }
        SendQueued();
        return true;
    }

    /// <inheritdoc/>
    public override void Close() => BeginClose(CloseReason.Local);

    /// <inheritdoc/>
    public override void Abort() => CloseNow(CloseReason.Aborted);

    internal override void Start(IConnectionHandler handler)
    {
        _handler = handler;
        _trace?.Accepted(this);
        StartIdleTimer(_owner.Options.IdleTimeout);
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
        Receive();
    }

    internal override void BeginClose(CloseReason reason)
    {
        if (IsClosed || _closing)
        {
            return;
        }
        _closing = true;
        _closingReason = reason;
        if (_queue.IsEmpty && !_sending)
        {
            FinishClosing();
        }
    }

    internal override void CloseNow(CloseReason reason)
    {
        if (IsClosed)
        {
            return;
        }
        MarkClosed(reason);
        StopIdleTimer();
        _lingerTimer?.Cancel();
        if (_receiving)
        {
            _ring.Cancel(_slot, ReceiveOperation);
        }
        if (_sending)
        {
            _ring.Cancel(_slot, SendOperation);
        }
        _owner.Release(this, started: _handler is not null);
        NotifyClosed(_handler, _trace, reason);
        ReleaseWhenIdle();
    }

    void ICompletionTarget.OnCompletion(byte operation, int result, uint flags)
    {
        if (operation == ReceiveOperation)
        {
            _receiving = false;
            Received(result, flags);
        }
        else
        {
            _sending = false;
            Sent(result);
        }
        ReleaseWhenIdle();
    }

    private void Received(int result, uint flags)
    {
        bool hasBuffer = (flags & IORING_CQE_F_BUFFER) != 0;
        ushort bufferId = (ushort)(flags >> IORING_CQE_BUFFER_SHIFT);
        if (result > 0 && !IsClosed)
        {
            // Closing, the handler hears no more; lingering, the peer's late bytes are read only so the close sends FIN, not RST.
            if (!_closing)
            {
                NoteActivityNow();
                _trace?.Read(this, result);
                try
                {
                    _handler!.OnData(this, _ring.ReceiveBuffers.Buffer(bufferId, result));
                }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    HandlerFailed(e);
                }
            }
        }
        if (hasBuffer)
        {
            _ring.ReceiveBuffers.Recycle(bufferId);
        }
        if (IsClosed)
        {
            return;
        }
        if (result == 0)
        {
            _endOfStream = true;
            _trace?.EndOfStream(this);
            if (_lingering)
            {
                CloseNow(_closingReason);
            }
            else if (_queue.IsEmpty && !_sending)
            {
                CloseNow(_closing ? _closingReason : CloseReason.PeerClosed);
            }
            return;
        }
        // ENOBUFS: every shared buffer was taken within one batch; they are back now, so ask again.
        // ECANCELED: only a closed connection cancels, and it returned above.
        if (result < 0 && result is not (-(int)Errno.EINTR or -(int)Errno.EAGAIN or -(int)Errno.ENOBUFS or -(int)Errno.ECANCELED))
        {
            Fail((Errno)(-result));
            return;
        }
        Receive();
    }

    private void Sent(int result)
    {
        if (IsClosed)
        {
            return;
        }
        if (result < 0)
        {
            if (result is -(int)Errno.EINTR or -(int)Errno.EAGAIN)
            {
                SendQueued();
            }
            else
            {
                Fail((Errno)(-result));
            }
            return;
        }
        NoteActivityNow();
        bool drained = _queue.Consume(result);
        _trace?.Wrote(this, result, _queue.Length);
        if (drained)
        {
            ResumeReading();
            if (IsClosed)
            {
                return;
            }
        }
        if (!_queue.IsEmpty)
        {
            SendQueued();
        }
        else if (_endOfStream)
        {
            CloseNow(_closing ? _closingReason : CloseReason.PeerClosed);
        }
        else if (_closing)
        {
            FinishClosing();
        }
    }

    /// <summary>
    /// Keeps one receive in flight while the handler wants data (and while lingering, to see the peer's EOF). A
    /// receive already in flight when reading pauses is left to complete: its one chunk is delivered, and none follows.
    /// </summary>
    private void Receive()
    {
        if (_receiving || IsClosed || _readPaused || _endOfStream || (_closing && !_lingering))
        {
            return;
        }
        _receiving = true;
        _ring.Submit(_slot, ReceiveOperation, new IoUringSqe
        {
            Opcode = IORING_OP_RECV,
            Flags = IOSQE_BUFFER_SELECT,
            Fd = Fd,
            BufferGroup = IoUringCompletions.ReceiveGroup,
        });
    }

    /// <summary>Sends the queue's head segments unless a send is in flight (one at a time keeps the bytes in order).</summary>
    private void SendQueued()
    {
        if (_sending || _queue.IsEmpty || IsClosed)
        {
            return;
        }
        Span<ArraySegment<byte>> segments = _owner.GatherScratch.AsSpan(0, MaxSendSegments);
        int count = _queue.Gather(segments, out int bytes);
        _sending = true;
        if (count == 1)
        {
            ArraySegment<byte> only = segments[0];
            _ring.Submit(_slot, SendOperation, new IoUringSqe
            {
                Opcode = IORING_OP_SEND,
                Fd = Fd,
                Address = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(only.Array!, only.Offset),
                Length = (uint)bytes,
                PollEvents = (uint)Constants.MSG_NOSIGNAL,
            });
            return;
        }
        // The segments live on the pinned heap and stay queued until the send completes; the header and its
        // iovecs are this connection's own, untouched until then.
        if (_message is null)
        {
            _message = (MessageHeader*)NativeMemory.AllocZeroed((nuint)(sizeof(MessageHeader) + (MaxSendSegments * sizeof(IoVec))));
        }
        IoVec* iov = (IoVec*)(_message + 1);
        for (int i = 0; i < count; i++)
        {
            iov[i].Base = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(segments[i].Array!, segments[i].Offset);
            iov[i].Length = (nuint)segments[i].Count;
        }
        _message->Iov = iov;
        _message->IovLength = (nuint)count;
        _ring.Submit(_slot, SendOperation, new IoUringSqe
        {
            Opcode = IORING_OP_SENDMSG,
            Fd = Fd,
            Address = (ulong)_message,
            Length = 1,
            PollEvents = (uint)Constants.MSG_NOSIGNAL,
        });
    }

    private void ResumeReading()
    {
        _readPaused = false;
        if (_endOfStream || _closing)
        {
            return;
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
        Receive();
    }

    /// <summary>
    /// A close was asked for and everything queued was sent. As the readiness transport does: send FIN, keep
    /// receiving (and discarding) until the peer's EOF so the close cannot turn into a reset that destroys replies
    /// in flight, for at most the linger timeout. A peer already at EOF has nothing unread.
    /// </summary>
    private void FinishClosing()
    {
        if (_endOfStream || !Sockets.ShutdownWrite(Fd))
        {
            CloseNow(_closingReason);
            return;
        }
        if (_lingering)
        {
            return;
        }
        _lingering = true;
        _lingerTimer = Loop.Schedule(_owner.Options.LingerTimeout, () => CloseNow(_closingReason));
        Receive();
    }

    /// <summary>Once closed and nothing is in flight: close the socket, return the segments, free the slot — once.</summary>
    private void ReleaseWhenIdle()
    {
        if (!IsClosed || _receiving || _sending || _released)
        {
            return;
        }
        _released = true;
        _queue.Clear();
        _socket.Dispose();
        if (_message is not null)
        {
            NativeMemory.Free(_message);
            _message = null;
        }
        _ring.Detach(_slot);
    }

    private void Fail(Errno errno)
    {
        SetError(errno);
        CloseNow(ReasonFor(errno));
    }

    private void HandlerFailed(Exception e)
    {
        SetHandlerException(e);
        CloseNow(CloseReason.HandlerFailed);
    }
}
