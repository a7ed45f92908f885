using static IoMux.Native.IoUringConstants;

namespace IoMux.Native;

/// <summary>
/// One io_uring instance seen from user space: push submission entries, enter the kernel, read completions.
/// The memory ordering is the one io_uring(7) documents. We own the submission tail and the completion
/// head; the kernel owns the other two. A tail we publish is a release store (the entry is written before
/// the kernel can see it); a tail we read is an acquire load (the entry the kernel wrote is visible); the
/// completion head we publish is a release store (we are done reading a slot before the kernel reuses it).
/// Single-threaded: one thread submits and reaps. After <see cref="Dispose"/> the mappings are gone: every member
/// that would touch them throws <see cref="ObjectDisposedException"/> instead.
/// </summary>
internal sealed unsafe class IoUringRing : IDisposable
{
    // Enters in a row that take nothing before EnsureSpace gives up: far more than a transient refusal lasts.
    private const int MaxFruitlessEnters = 1000;

    private readonly IoUringHandle _handle;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint* _sqFlags;
    private readonly uint _sqMask;
    private readonly IoUringSqe* _sqes;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly IoUringCqe* _cqes;
    private readonly bool _sqPoll;
    private bool _disposed;

    private IoUringRing(IoUringHandle handle, in IoUringParams p)
    {
        _handle = handle;
        byte* sq = handle.SqRing;
        byte* cq = handle.CqRing;
        _sqHead = (uint*)(sq + p.SqOff.Head);
        _sqTail = (uint*)(sq + p.SqOff.Tail);
        _sqFlags = (uint*)(sq + p.SqOff.Flags);
        _sqMask = *(uint*)(sq + p.SqOff.RingMask);
        SqEntries = *(uint*)(sq + p.SqOff.RingEntries);
        _sqes = (IoUringSqe*)handle.Sqes;
        _cqHead = (uint*)(cq + p.CqOff.Head);
        _cqTail = (uint*)(cq + p.CqOff.Tail);
        _cqMask = *(uint*)(cq + p.CqOff.RingMask);
        CqEntries = *(uint*)(cq + p.CqOff.RingEntries);
        _cqes = (IoUringCqe*)(cq + p.CqOff.Cqes);
        Features = p.Features;
        _sqPoll = (p.Flags & IORING_SETUP_SQPOLL) != 0;

        // The indirection array maps ring slot i to entry i once and for all: entries are written in ring order.
        uint* array = (uint*)(sq + p.SqOff.Array);
        for (uint i = 0; i < SqEntries; i++)
        {
            array[i] = i;
        }
    }

    public uint SqEntries { get; }

    public uint CqEntries { get; }

    /// <summary>Whether the ring was set up with IORING_SETUP_SQPOLL: a kernel thread, not our enters, takes submissions.</summary>
    public bool KernelPolled => _sqPoll;

    /// <summary>The IORING_FEAT_* bits the kernel reported.</summary>
    public uint Features { get; }

    public int Fd => _handle.Fd;

    /// <summary>
    /// io_uring_setup with a submission ring of <paramref name="sqEntries"/> and a completion ring of <paramref name="cqEntries"/>.
    /// <paramref name="optionalFlags"/> (IORING_SETUP_* bits) are asked for first and dropped if setup with them fails (a kernel that predates them answers EINVAL).
    /// </summary>
    public static IoUringRing Create(uint sqEntries, uint cqEntries, uint optionalFlags = 0)
    {
        IoUringParams p = default;
        long fd = optionalFlags != 0 ? Setup(sqEntries, cqEntries, optionalFlags, ref p) : -1;
        if (fd < 0)
        {
            fd = Setup(sqEntries, cqEntries, 0, ref p);
        }
        if (fd < 0)
        {
            LastError.Throw("io_uring_setup", -1);
        }
        var handle = new IoUringHandle((int)fd);
        try
        {
            handle.Map(p);
            return new IoUringRing(handle, p);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static long Setup(uint sqEntries, uint cqEntries, uint flags, ref IoUringParams p)
    {
        p = default;
        p.Flags = flags;
        if (cqEntries != 0)
        {
            p.Flags |= IORING_SETUP_CQSIZE;
            p.CqEntries = cqEntries;
        }
        fixed (IoUringParams* parameters = &p)
        {
            return Libc.IoUringSetup(SYS_io_uring_setup, sqEntries, parameters);
        }
    }

    /// <summary>Entries written but not yet consumed by the kernel.</summary>
    public uint Unsubmitted
    {
        get
        {
            ThrowIfDisposed();
            return *_sqTail - Volatile.Read(ref *_sqHead);
        }
    }

    /// <summary>Room left in the submission ring.</summary>
    public uint SqSpace => SqEntries - Unsubmitted;

    /// <summary>Queues one entry; when the ring is full, first has the kernel take queued entries (<see cref="EnsureSpace"/>).</summary>
    public void Push(in IoUringSqe sqe)
    {
        if (SqSpace == 0)
        {
            EnsureSpace(1);
        }
        uint tail = *_sqTail;
        _sqes[tail & _sqMask] = sqe;
        Volatile.Write(ref *_sqTail, tail + 1);
    }

    /// <summary>
    /// Hands every queued entry to the kernel and lets it run pending completion work, without waiting.
    /// A submission the kernel cannot take right now (EAGAIN, EBUSY, EINTR) stays queued for the next enter.
    /// </summary>
    public void Submit()
    {
        ThrowIfDisposed();
        if (Enter(0, IORING_ENTER_GETEVENTS, null, out Errno errno) < 0 && errno is not (Errno.EAGAIN or Errno.EBUSY or Errno.EINTR))
        {
            throw new SyscallException("io_uring_enter", errno, Fd);
        }
    }

    /// <summary>
    /// Makes room for <paramref name="entries"/> more entries by entering the kernel until it has consumed enough
    /// of what is queued: a slot is written again only once the kernel's head has passed it. An interrupted enter
    /// is retried; one the kernel refuses for now (EAGAIN: short of memory for requests; EBUSY: completions it
    /// cannot post until some are reaped) is retried a bounded number of times, yielding between tries, and then
    /// reported with every queued entry still intact.
    /// </summary>
    public void EnsureSpace(uint entries)
    {
        ThrowIfDisposed();
        if (entries > SqEntries)
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries, $"the submission ring holds {SqEntries} entries; push them in smaller batches");
        }
        int fruitless = 0;
        while (SqSpace < entries)
        {
            uint before = Unsubmitted;
            // With SQPOLL the kernel's own thread takes the entries: an enter only wakes it, and SQ_WAIT waits for room.
            int result = Enter(0, IORING_ENTER_GETEVENTS | (_sqPoll ? IORING_ENTER_SQ_WAIT : 0), null, out Errno errno);
            if (result < 0 && errno is not (Errno.EINTR or Errno.EAGAIN or Errno.EBUSY))
            {
                throw new SyscallException("io_uring_enter", errno, Fd);
            }
            if (Unsubmitted < before)
            {
                fruitless = 0;
                continue;
            }
            if (++fruitless == MaxFruitlessEnters)
            {
                throw new SyscallException(
                    $"io_uring_enter on fd {Fd} took none of the {before} queued submissions in {MaxFruitlessEnters} tries (last: {(result < 0 ? errno.ToString() : "0 taken")}); they stay queued: reap completions, then submit again",
                    new SyscallException("io_uring_enter", result < 0 ? errno : 0, Fd));
            }
            if (result < 0 && errno != Errno.EINTR)
            {
                Thread.Yield(); // let in-flight requests finish and free what the kernel is short of
            }
        }
    }

    /// <summary>
    /// Submits what is queued and waits for at least <paramref name="minComplete"/> completions or until
    /// <paramref name="timeoutMs"/> passes (-1: no limit). Returns the number of entries submitted, or -1 with
    /// <paramref name="errno"/> set (ETIME: the timeout passed with nothing submitted; EINTR: a signal).
    /// </summary>
    public int SubmitAndWait(uint minComplete, int timeoutMs, out Errno errno)
    {
        ThrowIfDisposed();
        if (timeoutMs <= 0 || minComplete == 0)
        {
            return Enter(timeoutMs == 0 ? 0 : minComplete, IORING_ENTER_GETEVENTS, null, out errno);
        }
        KernelTimespec ts = new() { Seconds = timeoutMs / 1000, Nanoseconds = timeoutMs % 1000 * 1_000_000L };
        IoUringGetEventsArg arg = new() { Timespec = (ulong)&ts };
        return Enter(minComplete, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, out errno);
    }

    /// <summary>The first completion not yet consumed (ours to read without ordering: only we write it).</summary>
    public uint CqHead
    {
        get
        {
            ThrowIfDisposed();
            return *_cqHead;
        }
    }

    /// <summary>One past the last completion the kernel has posted (acquire: the entries before it are visible).</summary>
    public uint CqTail
    {
        get
        {
            ThrowIfDisposed();
            return Volatile.Read(ref *_cqTail);
        }
    }

    /// <summary>
    /// The completion ring filled up and the kernel holds further completions aside (IORING_FEAT_NODROP);
    /// the next enter moves them in as room allows.
    /// </summary>
    public bool CqOverflowed
    {
        get
        {
            ThrowIfDisposed();
            return (Volatile.Read(ref *_sqFlags) & IORING_SQ_CQ_OVERFLOW) != 0;
        }
    }

    public ref readonly IoUringCqe Cqe(uint index)
    {
        ThrowIfDisposed();
        return ref _cqes[index & _cqMask];
    }

    /// <summary>Gives the slots before <paramref name="head"/> back to the kernel (release: our reads are done).</summary>
    public void ConsumeTo(uint head)
    {
        ThrowIfDisposed();
        Volatile.Write(ref *_cqHead, head);
    }

    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    private int Enter(uint minComplete, uint flags, IoUringGetEventsArg* arg, out Errno errno)
    {
        uint toSubmit = Unsubmitted;
        if (_sqPoll)
        {
            flags |= IORING_ENTER_SQ_WAKEUP; // the kernel's thread may have gone idle; it takes nothing until woken
        }
        long result = Libc.IoUringEnter(SYS_io_uring_enter, _handle.Fd, toSubmit, minComplete, flags, arg,
            arg is null ? 0 : sizeof(IoUringGetEventsArg));
        errno = result < 0 ? LastError.Get() : 0;
        return (int)result;
    }

    /// <summary>io_uring_register(IORING_REGISTER_PROBE): which operations this kernel implements.</summary>
    public bool SupportsOperations(ReadOnlySpan<byte> opcodes, out Errno errno)
    {
        ThrowIfDisposed();
        IoUringProbe probe = default;
        long result = Libc.IoUringRegister(SYS_io_uring_register, _handle.Fd, IORING_REGISTER_PROBE, &probe, IoUringProbe.Capacity);
        if (result < 0)
        {
            errno = LastError.Get();
            return false;
        }
        errno = 0;
        foreach (byte opcode in opcodes)
        {
            if (!IoUringProbe.Supports(&probe, opcode))
            {
                return false;
            }
        }
        return true;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
