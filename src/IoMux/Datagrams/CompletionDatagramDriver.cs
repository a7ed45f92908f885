using System.Numerics;
using System.Runtime.CompilerServices;
using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// The completion model on io_uring: one multishot recvmsg stays armed, each datagram arriving in a provided buffer
/// of the endpoint's own group (sized for whole datagrams) as its own completion; it is re-armed whenever a completion
/// ends it (the buffers ran dry, an ICMP error). Replies the handler sends during the wait's completions leave
/// together in one sendmmsg when the loop runs its re-queued work, right after the wait; when the kernel has no room
/// for them, one io_uring sendmsg of the queue's head waits for it, and the rest follow when it completes. Released,
/// it cancels what is in flight and lets go of the socket, the buffers and its slot only after the last completion.
/// </summary>
internal sealed unsafe class CompletionDatagramDriver : DatagramDriver, ICompletionTarget, ILoopHandler
{
    private const byte ReceiveOperation = 1;
    private const byte SendOperation = 2;

    private readonly EventLoop _loop;
    private readonly CompletionQueue _completions;
    private readonly IoUringBufferRing _buffers;
    private readonly MessageBatch _receiveHeader;
    private readonly MessageBatch _send;
    private readonly MessageBatch _sendHeader;
    private readonly int _slot;
    private bool _flushQueued;
    private bool _receiveFailed;
    private bool _releasing;
    private bool _released;

    public CompletionDatagramDriver(UdpEndpoint owner, FileDescriptor socket, CompletionQueue completions, UdpEndpointOptions options, EventLoop loop)
        : base(owner, socket)
    {
        _loop = loop;
        _completions = completions;
        int count = (int)BitOperations.RoundUpToPowerOf2((uint)options.BatchSize);
        // Each buffer holds the recvmsg header, the source address region and a whole datagram.
        int size = sizeof(IoUringRecvMsgOut) + SocketAddressBytes.Size + options.MaxDatagramSize;
        _buffers = completions.CreateBufferRing(count, (size + 7) & ~7);
        _receiveHeader = new MessageBatch(1, 0);
        _receiveHeader.PrepareReceive(1);
        _send = new MessageBatch(options.BatchSize, 0);
        _sendHeader = new MessageBatch(1, 0);
        try
        {
            _slot = completions.Attach(this);
        }
        catch
        {
            completions.ReleaseBufferRing(_buffers);
            _receiveHeader.Dispose();
            _send.Dispose();
            _sendHeader.Dispose();
            throw;
        }
    }

    private bool Sending => _completions.IsInFlight(_slot, SendOperation);

    public override void Start() => Arm();

    public override void SendQueued()
    {
        if (_releasing || Sending || _flushQueued)
        {
            return;
        }
        // The queue went from empty to one because the kernel had no room: wait for room in io_uring.
        SendHeadWhenRoom();
    }

    public override void FlushAfterBatch()
    {
        if (!_flushQueued)
        {
            _flushQueued = true;
            _loop.Requeue(this, Readiness.Write); // runs this turn: a wait that dispatched completions ends after them
        }
    }

    public override void Release()
    {
        if (_releasing)
        {
            return;
        }
        _releasing = true;
        if (!_completions.IsClosed)
        {
            if (_completions.IsInFlight(_slot, ReceiveOperation))
            {
                _completions.Cancel(_slot, ReceiveOperation);
            }
            if (Sending)
            {
                _completions.Cancel(_slot, SendOperation);
            }
        }
        ReleaseWhenIdle();
    }

    /// <summary>The re-queued flush: the wait's completions are all handled, so the replies they queued leave together.</summary>
    void ILoopHandler.OnReady(Readiness readiness)
    {
        _flushQueued = false;
        Owner.EndBatch();
        if (!_releasing && !Sending && !Owner.SendBatches(Fd, _send))
        {
            SendHeadWhenRoom();
        }
    }

    void ICompletionTarget.OnCompletion(byte operation, int result, ReadOnlySpan<byte> received)
    {
        if (operation == ReceiveOperation)
        {
            Received(result, received);
        }
        else
        {
            Sent(result);
        }
        ReleaseWhenIdle();
    }

    void ICompletionTarget.OnQueueClosing() => Release();

    private void Arm()
    {
        if (_releasing || _receiveFailed || _completions.IsClosed)
        {
            return;
        }
        _completions.ReceiveMessages(_slot, ReceiveOperation, Fd, _receiveHeader.Header(0), _buffers);
    }

    private void Received(int result, ReadOnlySpan<byte> received)
    {
        if (result >= 0 && !_releasing && !Owner.IsClosed)
        {
            ref readonly IoUringRecvMsgOut header = ref Unsafe.As<byte, IoUringRecvMsgOut>(ref Unsafe.AsRef(in received[0]));
            int payloadStart = sizeof(IoUringRecvMsgOut) + SocketAddressBytes.Size + (int)header.ControlLength;
            SocketAddressBytes source = default;
            received.Slice(sizeof(IoUringRecvMsgOut), Math.Min((int)header.NameLength, SocketAddressBytes.Size)).CopyTo(source);
            Owner.ReceivedBatch(1);
            Owner.BeginBatch();
            FlushAfterBatch();
            Owner.Deliver(received[payloadStart..], &source, (int)header.PayloadLength);
        }
        else if (result < 0 && !_releasing && result is not (-(int)Errno.ENOBUFS or -(int)Errno.EINTR or -(int)Errno.EAGAIN or -(int)Errno.ECANCELED))
        {
            Errno error = (Errno)(-result);
            // The request itself is wrong (not an error the socket reports): re-arming would fail the same way.
            _receiveFailed = error is Errno.EINVAL or Errno.EBADF or Errno.ENOTSOCK or Errno.EOPNOTSUPP or Errno.EFAULT;
            Owner.ReportError(error);
        }
        if (!_completions.IsInFlight(_slot, ReceiveOperation))
        {
            Arm();
        }
    }

    private void Sent(int result)
    {
        if (_releasing)
        {
            return;
        }
        if (result >= 0)
        {
            Owner.Queue.Remove(1);
            Owner.CountSent(1);
        }
        else if (result is -(int)Errno.EINTR or -(int)Errno.EAGAIN)
        {
            SendHeadWhenRoom();
            return;
        }
        else
        {
            Owner.HeadFailed((Errno)(-result));
        }
        if (!Owner.SendBatches(Fd, _send))
        {
            SendHeadWhenRoom();
        }
    }

    /// <summary>One io_uring sendmsg of the queue's head: the kernel sends it when the socket has room, and says so.</summary>
    private void SendHeadWhenRoom()
    {
        if (Owner.Queue.IsEmpty || _releasing || _completions.IsClosed)
        {
            return;
        }
        byte* payload = Owner.Queue.Peek(0, out int length, out SocketAddressBytes* address);
        _sendHeader.PrepareSend(0, payload, length, address);
        _completions.SendMessage(_slot, SendOperation, Fd, _sendHeader.Header(0));
    }

    /// <summary>Once released and nothing is in flight: close the socket, give back the buffers and the slot — once.</summary>
    private void ReleaseWhenIdle()
    {
        if (!_releasing || _released)
        {
            return;
        }
        bool closed = _completions.IsClosed;
        if (!closed && (_completions.IsInFlight(_slot, ReceiveOperation) || Sending))
        {
            return;
        }
        _released = true;
        Socket.Dispose();
        if (!closed)
        {
            _completions.Detach(_slot);
        }
        _completions.ReleaseBufferRing(_buffers);
        _receiveHeader.Dispose();
        _send.Dispose();
        _sendHeader.Dispose();
    }
}
