using IoMux.Native;

namespace IoMux;

/// <summary>
/// Arbitrary requests (receive, send, cancel) on an <see cref="IoUringSelector"/>'s ring, beside its polls:
/// they go to the kernel with the selector's next wait, and their completions are handed to the
/// <see cref="ICompletionTarget"/> that submitted them while the selector reaps (on the loop thread, inside
/// <see cref="Selector.Wait"/>). A target holds a slot from <see cref="Attach"/> until <see cref="Detach"/>;
/// it must detach only once none of its requests is in flight, so a slot is never reused while the kernel
/// may still complete a request of its previous owner.
/// </summary>
/// <remarks>
/// user_data layout: the upper 32 bits are zero (the selector's own requests, never a poll's token), bit 31
/// marks a completion request, bits 8-30 name the slot, bits 0-7 the target's operation code.
/// </remarks>
internal sealed class IoUringCompletions
{
    /// <summary>Provided-buffer group of the shared receive buffers.</summary>
    public const ushort ReceiveGroup = 1;

    private const ulong Tag = 1UL << 31;
    private const int MaxSlots = 1 << 23;

    private readonly IoUringRing _ring;
    private ICompletionTarget?[] _targets = new ICompletionTarget?[64];
    private int[] _free = new int[64];
    private int _freeCount;
    private int _used;

    internal IoUringCompletions(IoUringRing ring, int receiveBuffers, int receiveBufferSize)
    {
        _ring = ring;
        ReceiveBuffers = new IoUringBufferRing(ring, ReceiveGroup, receiveBuffers, receiveBufferSize);
    }

    /// <summary>The loop's shared receive buffers, taken by receives only when data arrives.</summary>
    public IoUringBufferRing ReceiveBuffers { get; }

    /// <summary>Targets attached now.</summary>
    public int Attached => _used - _freeCount;

    public static bool IsCompletion(ulong userData) => (userData >> 31) == 1;

    public int Attach(ICompletionTarget target)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            if (_used == MaxSlots)
            {
                throw new InvalidOperationException($"an io_uring loop serves at most {MaxSlots} completion targets at once");
            }
            slot = _used++;
            if (slot == _targets.Length)
            {
                Array.Resize(ref _targets, _targets.Length * 2);
            }
        }
        _targets[slot] = target;
        return slot;
    }

    public void Detach(int slot)
    {
        _targets[slot] = null;
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }
        _free[_freeCount++] = slot;
    }

    /// <summary>Queues <paramref name="sqe"/> for <paramref name="slot"/>'s <paramref name="operation"/>; it is submitted with the next wait.</summary>
    public void Submit(int slot, byte operation, IoUringSqe sqe)
    {
        sqe.UserData = UserData(slot, operation);
        _ring.Push(sqe);
    }

    /// <summary>Asks the kernel to cancel <paramref name="slot"/>'s <paramref name="operation"/>; the request then completes (with -ECANCELED if it was still waiting).</summary>
    public void Cancel(int slot, byte operation) => _ring.Push(new IoUringSqe
    {
        Opcode = IoUringOps.IORING_OP_ASYNC_CANCEL,
        Fd = -1,
        Address = UserData(slot, operation),
        UserData = UserData(slot, CancelOperation),
    });

    /// <summary>The operation code a cancellation's own completion carries (targets ignore it).</summary>
    public const byte CancelOperation = 0xFF;

    internal void Dispatch(in IoUringCqe cqe)
    {
        int slot = (int)((cqe.UserData >> 8) & (MaxSlots - 1));
        byte operation = (byte)cqe.UserData;
        if (operation == CancelOperation)
        {
            return;
        }
        if (_targets[slot] is { } target)
        {
            target.OnCompletion(operation, cqe.Result, cqe.Flags);
        }
        else if ((cqe.Flags & IoUringOps.IORING_CQE_F_BUFFER) != 0)
        {
            ReceiveBuffers.Recycle((ushort)(cqe.Flags >> IoUringOps.IORING_CQE_BUFFER_SHIFT)); // never lose a buffer
        }
    }

    private static ulong UserData(int slot, byte operation) => Tag | ((ulong)slot << 8) | operation;
}
