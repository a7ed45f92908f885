using System.Diagnostics;
using IoMux.Native;
using IoMux.Transport;

namespace IoMux;

/// <summary>
/// A loop's completion capability: typed socket requests (receive into a shared provided buffer, send or
/// gathered send, connect, cancel) on the io_uring ring its selector waits on, so they go to the kernel with the
/// loop's next wait, and each completion is handed to the <see cref="ICompletionTarget"/> that asked. A
/// target holds a slot from <see cref="Attach"/> until <see cref="Detach"/>, which it calls only once none
/// of its requests is in flight: a slot, and the native memory it lends, is never reused while the kernel may
/// still complete a request of its previous owner. Loop thread only.
/// </summary>
/// <remarks>
/// user_data: <see cref="IoUringSelector.CompletionTag"/>, the slot in bits 8-30, the target's operation in bits 0-7.
/// Closing the queue cancels what is in flight and reaps (bounded) until every request has completed, so
/// sockets and memory are released by their owners rather than left to the kernel's ring teardown.
/// </remarks>
internal sealed unsafe class CompletionQueue : IRingCompletionSink, IBufferLender, IDisposable
{
    /// <summary>Bytes of one shared receive buffer: the most one receive completion delivers.</summary>
    public const int ReceiveBufferSize = 64 * 1024;

    /// <summary>Segments one gathered send takes (16 KiB write-queue segments: 256 KiB per request).</summary>
    public const int MaxSendSegments = 16;

    // 64 buffers of 64 KiB: 4 MiB per loop, shared by all of its connections however many are idle. A receive
    // brings as much as one readiness read (64 KiB by default): a 256 KiB message takes 4 completions, not 16.
    private const int ReceiveBufferCount = 64;

    /// <summary>
    /// Most shared receive buffers lent to write queues at once (<see cref="TryLend"/>): the rest stay for receives,
    /// so connections whose peers do not read cannot drain the ring for everyone else.
    /// </summary>
    public const int MaxLentBuffers = ReceiveBufferCount / 2;

    private const ushort ReceiveGroup = 1;
    // A cancel's own user_data names the operation it cancels, with these bits: an ordinary cancel, or one asked
    // for after the kernel dropped completions, whose "not found" means the request's completion was lost.
    private const byte CancelBit = 0x80;
    private const byte LostCheckBit = 0x40;
    private const int SlotBits = 23;
    private static readonly TimeSpan CloseReapLimit = TimeSpan.FromSeconds(2);

    private readonly IoUringSelector _selector;
    private readonly IoUringBufferRing _receiveBuffers;
    private Slot[] _slots = new Slot[64];
    private int[] _free = new int[64];
    private int _freeCount;
    private int _used;
    private ushort _nextGroup = ReceiveGroup + 1;
    private readonly Stack<ushort> _freeGroups = new();
    private readonly List<IHeldRequest> _held = [];
    private bool _closed;

    // The shared buffer whose bytes a target is being handed right now (-1: none), which a write may borrow.
    private int _delivering = -1;
    private int _deliveringLength;
    private bool _deliveryLent;

    private CompletionQueue(IoUringSelector selector)
    {
        _selector = selector;
        _receiveBuffers = new IoUringBufferRing(selector.Ring, ReceiveGroup, ReceiveBufferCount, ReceiveBufferSize);
        selector.CompletionSink = this;
    }

    /// <summary>Send requests submitted (plain or gathered).</summary>
    public long SendRequests { get; private set; }

    /// <summary>Targets attached now.</summary>
    public int Attached => _used - _freeCount;

    /// <summary>Requests submitted and not yet completed.</summary>
    public int InFlight { get; private set; }

    /// <summary>Most targets attached at once; the queue refuses more (tests lower it to make attaching fail).</summary>
    internal int TargetLimit { get; set; } = 1 << SlotBits;

    public bool IsClosed => _closed;

    /// <summary>Shared receive buffers lent to write queues now, kept from the kernel until their bytes are sent.</summary>
    public int LentBuffers { get; private set; }

    /// <summary>Receive buffers ever lent: sends that did not copy what they echo.</summary>
    public long LendCount { get; private set; }

    /// <summary>Stream receives ever asked for (<see cref="Receive"/>): with multishot receives, far fewer than <see cref="ReceivedBuffers"/>.</summary>
    public long ReceiveRequests { get; private set; }

    /// <summary>Completions that brought bytes in a shared receive buffer.</summary>
    public long ReceivedBuffers { get; private set; }

    /// <summary>The queue for a loop on <paramref name="selector"/>; throws <see cref="NotSupportedException"/> with the reason where the completion model cannot run.</summary>
    public static CompletionQueue Create(Selector selector)
    {
        if (CompletionAvailability.RefusalFor(selector.Backend) is { } refusal)
        {
            throw new NotSupportedException(refusal);
        }
        return new CompletionQueue((IoUringSelector)selector);
    }

    public int Attach(ICompletionTarget target)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (Attached >= TargetLimit)
        {
            throw new InvalidOperationException($"this loop's completion queue already serves {TargetLimit} connections, its limit");
        }
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            slot = _used++;
            if (slot == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }
        }
        _slots[slot].Target = target;
        return slot;
    }

    public void Detach(int slot)
    {
        ref Slot s = ref _slots[slot];
        if (s.InFlight != 0)
        {
            throw new InvalidOperationException($"completion slot {slot} still has requests in flight; detach once they have completed");
        }
        s.Target = null;
        s.Buffers = null;
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }
        _free[_freeCount++] = slot;
    }

    /// <summary>
    /// Whether <see cref="Receive"/> asks for multishot receives with a byte limit; turned off for good when the kernel
    /// refuses one (EINVAL before Linux 6.17), and by tests that exercise the single-shot receive.
    /// </summary>
    public bool MultishotReceives { get; internal set; } = true;

    /// <summary>
    /// Receives into shared buffers taken only when data arrives, at most <see cref="ReceiveBufferSize"/> bytes per
    /// completion: one completion per buffer until about <paramref name="limit"/> bytes came (past it by less than one
    /// buffer) when <see cref="MultishotReceives"/>, else a single completion. Returns whether it is multishot.
    /// </summary>
    public bool Receive(int slot, byte operation, int fd, int limit)
    {
        bool multishot = MultishotReceives && limit > 0;
        ReceiveRequests++;
        Submit(slot, operation, multishot
            ? IoUringRequests.ReceiveMultishot(fd, ReceiveGroup, ReceiveBufferSize, limit)
            : IoUringRequests.Receive(fd, ReceiveGroup, ReceiveBufferSize));
        return multishot;
    }

    /// <summary>Sends <paramref name="segments"/> (pinned, at most <see cref="MaxSendSegments"/>) in one request; they must stay untouched until it completes.</summary>
    public void Send(int slot, byte operation, int fd, ReadOnlySpan<ArraySegment<byte>> segments)
    {
        SendRequests++;
        if (segments.Length == 1)
        {
            Submit(slot, operation, IoUringRequests.Send(fd, segments[0]));
            return;
        }
        // One vector per slot, reused: the slot's previous gathered send has completed before its next is asked for.
        GatherVector vector = _slots[slot].Vector ??= new GatherVector(MaxSendSegments);
        vector.Fill(segments);
        Submit(slot, operation, IoUringRequests.SendMessage(fd, vector));
    }

    /// <summary>
    /// Lends the shared receive buffer being delivered now when <paramref name="data"/> lies inside it, so a write of
    /// received bytes is sent from where the kernel put them instead of copied: the buffer stays out of the ring
    /// until <see cref="IBufferLender.GiveBack"/> with <paramref name="token"/>. False (lend nothing) outside a
    /// delivery, for bytes from elsewhere, for a buffer already lent, or while <see cref="MaxLentBuffers"/> are out.
    /// </summary>
    public bool TryLend(ReadOnlySpan<byte> data, out ArraySegment<byte> segment, out int token)
    {
        segment = default;
        token = _delivering;
        if (_delivering < 0 || _deliveryLent || LentBuffers >= MaxLentBuffers)
        {
            return false;
        }
        int offset = _receiveBuffers.OffsetIn((ushort)_delivering, _deliveringLength, data);
        if (offset < 0)
        {
            return false;
        }
        _deliveryLent = true;
        LentBuffers++;
        LendCount++;
        segment = _receiveBuffers.Segment((ushort)_delivering, offset, data.Length);
        return true;
    }

    /// <summary>A lent buffer's bytes were sent (or dropped once nothing in flight reads them): back to the kernel.</summary>
    void IBufferLender.GiveBack(int token)
    {
        LentBuffers--;
        if (!_closed)
        {
            _receiveBuffers.Recycle((ushort)token);
        }
    }

    /// <summary>
    /// A ring of <paramref name="count"/> provided buffers of <paramref name="size"/> bytes in a group of its own, for
    /// an owner whose receives need other sizes than the shared 64 KiB (a datagram endpoint's whole datagrams).
    /// Give it back with <see cref="ReleaseBufferRing"/> once no request that takes from it is in flight.
    /// </summary>
    public IoUringBufferRing CreateBufferRing(int count, int size)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        ushort group = _freeGroups.Count > 0 ? _freeGroups.Pop() : _nextGroup == ushort.MaxValue
            ? throw new InvalidOperationException("this loop's completion queue has no provided-buffer group left")
            : _nextGroup++;
        try
        {
            return new IoUringBufferRing(_selector.Ring, group, count, size);
        }
        catch
        {
            _freeGroups.Push(group);
            throw;
        }
    }

    /// <summary>Withdraws a ring from <see cref="CreateBufferRing"/>; its group id is reused.</summary>
    public void ReleaseBufferRing(IoUringBufferRing buffers)
    {
        if (!_closed)
        {
            buffers.Unregister(_selector.Ring);
        }
        _freeGroups.Push(buffers.GroupId);
    }

    /// <summary>
    /// A multishot recvmsg into <paramref name="buffers"/>: the target hears of each message, laid out as
    /// <see cref="IoUringRecvMsgOut"/> at the start of its buffer, and the operation stays in flight until a
    /// completion ends it (an error, ENOBUFS when the ring ran dry, or a cancel): see <see cref="IsInFlight"/>.
    /// </summary>
    public void ReceiveMessages(int slot, byte operation, int fd, MessageHeader* header, IoUringBufferRing buffers)
    {
        _slots[slot].Buffers = buffers;
        Submit(slot, operation, IoUringDatagramRequests.ReceiveMessages(fd, header, buffers.GroupId));
    }

    /// <summary>sendmsg(2) of what <paramref name="header"/> describes, which must stay untouched until it completes.</summary>
    public void SendMessage(int slot, byte operation, int fd, MessageHeader* header) =>
        Submit(slot, operation, IoUringDatagramRequests.SendMessage(fd, header));

    /// <summary>Whether <paramref name="slot"/>'s <paramref name="operation"/> is still held by the kernel (a multishot request until its last completion).</summary>
    public bool IsInFlight(int slot, byte operation) => (_slots[slot].InFlight & (1 << operation)) != 0;

    /// <summary>Connects <paramref name="fd"/> to the address at <paramref name="address"/> (native memory the caller keeps in place until the request completes).</summary>
    public unsafe void Connect(int slot, byte operation, int fd, byte* address, uint length) =>
        Submit(slot, operation, IoUringRequests.Connect(fd, address, length));

    /// <summary>Asks the kernel to cancel <paramref name="slot"/>'s <paramref name="operation"/>; the request still completes, with -ECANCELED if it was waiting.</summary>
    public void Cancel(int slot, byte operation)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _selector.Ring.Push(IoUringRequests.Cancel(UserData(slot, operation), UserData(slot, (byte)(CancelBit | operation))));
    }

    /// <summary>
    /// Has <paramref name="request"/> write itself just before the loop's next wait enters the ring, not now, so it
    /// takes in whatever the rest of the turn adds: a send then carries every write of a callback, and every buffer of
    /// a large message that arrived together (one send, not one for the first buffer and one for the rest). It still
    /// leaves in this turn; only an enter made earlier in the turn for another reason (room in the ring, a poll's
    /// removal) goes without it.
    /// </summary>
    public void HoldUntilEnter(IHeldRequest request) => _held.Add(request);

    void IRingCompletionSink.BeforeEnter()
    {
        for (int i = 0; i < _held.Count; i++)
        {
            _held[i].SubmitHeld();
        }
        _held.Clear();
    }

    /// <summary>
    /// After EBADR some completions never arrive and their targets would wait forever. Every request in flight gets
    /// a cancel: one still waiting completes with -ECANCELED as usual; one the kernel no longer knows ("not found")
    /// had its completion dropped, and its target is told -ECANCELED here. A completion that arrives after all is
    /// ignored (its request is no longer in flight), so no target hears of one request twice.
    /// </summary>
    void IRingCompletionSink.OnCompletionsLost()
    {
        for (int slot = 0; slot < _used; slot++)
        {
            for (int operation = 0; operation < 8; operation++)
            {
                if ((_slots[slot].InFlight & (1 << operation)) != 0)
                {
                    _selector.Ring.Push(IoUringRequests.Cancel(UserData(slot, (byte)operation), UserData(slot, (byte)(CancelBit | LostCheckBit | operation))));
                }
            }
        }
    }

    void IRingCompletionSink.OnCompletion(in IoUringCqe cqe)
    {
        int slot = (int)((cqe.UserData >> 8) & ((1UL << SlotBits) - 1));
        byte operation = (byte)cqe.UserData;
        int result = cqe.Result;
        if ((operation & CancelBit) != 0)
        {
            if ((operation & LostCheckBit) == 0 || result != -(int)Errno.ENOENT)
            {
                return; // a cancel's own result: the request it named reports for itself
            }
            operation &= 7;
            result = -(int)Errno.ECANCELED;
        }
        ref Slot s = ref _slots[slot];
        bool hasBuffer = (cqe.Flags & IoUringOps.IORING_CQE_F_BUFFER) != 0;
        ushort bufferId = (ushort)(cqe.Flags >> IoUringOps.IORING_CQE_BUFFER_SHIFT);
        // Read before the target runs: it may detach (and its buffers leave the slot) inside the call.
        IoUringBufferRing buffers = s.Buffers ?? _receiveBuffers;
        bool inFlight = (s.InFlight & (1 << operation)) != 0;
        // A multishot request's completions carry F_MORE until its last one, which alone takes it out of flight.
        if (inFlight && (cqe.Flags & IoUringOps.IORING_CQE_F_MORE) == 0)
        {
            s.InFlight &= (byte)~(1 << operation);
            InFlight--;
        }
        bool shared = hasBuffer && ReferenceEquals(buffers, _receiveBuffers) && result > 0;
        try
        {
            ReadOnlySpan<byte> received = hasBuffer && result > 0 ? buffers.Buffer(bufferId, result) : default;
            if (inFlight)
            {
                if (shared)
                {
                    _delivering = bufferId;
                    _deliveringLength = result;
                    ReceivedBuffers++;
                }
                s.Target?.OnCompletion(operation, result, received);
            }
        }
        finally
        {
            bool lent = shared && _deliveryLent;
            _delivering = -1;
            _deliveryLent = false;
            if (hasBuffer && !lent)
            {
                buffers.Recycle(bufferId); // the target is done with it, or was gone: never lose a buffer
            }
        }
    }

    /// <summary>
    /// Tells every attached target to let go (each cancels what it has in flight), then reaps until all of it has
    /// completed (at most <see cref="CloseReapLimit"/>), so sockets and memory are released by their owners the
    /// ordinary way. Called by the loop before its selector, and with it the ring, goes.
    /// </summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        for (int slot = 0; slot < _used; slot++)
        {
            _slots[slot].Target?.OnQueueClosing();
        }
        var events = new SelectorEvent[64];
        long deadline = Stopwatch.GetTimestamp() + (long)(CloseReapLimit.TotalSeconds * Stopwatch.Frequency);
        while (InFlight > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            _selector.Wait(events, TimeSpan.FromMilliseconds(10));
        }
        _closed = true;
        _held.Clear();
        for (int slot = 0; slot < _used; slot++)
        {
            // A request the kernel never completed may still read its vector: that memory is left to the process.
            if (_slots[slot].InFlight == 0)
            {
                _slots[slot].Vector?.Dispose();
            }
        }
        _selector.CompletionSink = null;
    }

    private void Submit(int slot, byte operation, IoUringSqe sqe)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        Debug.Assert(operation is > 0 and < 8, "operations are bits of the slot's in-flight mask");
        sqe.UserData = UserData(slot, operation);
        _selector.Ring.Push(sqe);
        _slots[slot].InFlight |= (byte)(1 << operation);
        InFlight++;
    }

    private static ulong UserData(int slot, byte operation) => IoUringSelector.CompletionTag | ((ulong)slot << 8) | operation;

    private struct Slot
    {
        public ICompletionTarget? Target;

        /// <summary>One bit per operation the kernel holds.</summary>
        public byte InFlight;

        public GatherVector? Vector;

        /// <summary>The provided buffers this slot's receives take from, when not the shared ones.</summary>
        public IoUringBufferRing? Buffers;
    }
}
