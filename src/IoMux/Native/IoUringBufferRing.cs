using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static IoMux.Native.IoUringOps;

namespace IoMux.Native;

/// <summary>
/// A ring of provided buffers (IORING_REGISTER_PBUF_RING, Linux 5.19) shared by every receive on one
/// io_uring: a receive takes a buffer only when data arrives, so an idle connection holds none. We own
/// the tail (a release store publishes returned buffers); the kernel owns the head. The ring and the
/// buffers are pinned arrays on the pinned object heap: they stay put for the kernel, and the GC can only
/// reclaim them once the ring (and with it the registration) is gone. Buffers of 2 MiB or more in all sit on
/// transparent huge pages where the kernel has them.
/// </summary>
internal sealed unsafe class IoUringBufferRing
{
    private const int PageSize = 4096;
    private const int HugePageSize = 2 * 1024 * 1024;

    private readonly byte[] _ringMemory;
    private readonly IoUringBuf* _entries;
    private readonly byte[] _buffers;
    private readonly byte* _bufferBase;
    private readonly int _bufferOffset;
    private readonly ushort _mask;
    private ushort _tail;

    /// <summary>Registers <paramref name="count"/> buffers (a power of two, at most 32768) of <paramref name="size"/> bytes as group <paramref name="groupId"/>.</summary>
    public IoUringBufferRing(IoUringRing ring, ushort groupId, int count, int size)
    {
        if (count < 1 || count > 32768 || (count & (count - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "a provided-buffer ring holds a power of two of buffers, at most 32768");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        GroupId = groupId;
        BufferSize = size;
        Count = count;
        _mask = (ushort)(count - 1);
        // The kernel wants the ring page-aligned: over-allocate a page and align inside the pinned array.
        _ringMemory = GC.AllocateArray<byte>((count * sizeof(IoUringBuf)) + PageSize, pinned: true);
        nuint start = (nuint)Marshal.UnsafeAddrOfPinnedArrayElement(_ringMemory, 0);
        _entries = (IoUringBuf*)((start + PageSize - 1) & ~(nuint)(PageSize - 1));
        // Every receive copies into a buffer and every lent send out of it: on 4 KiB pages a 64 KiB copy walks 16
        // page-table entries and 4 MiB of buffers thrash the TLB (dearer still under virtualization), where one
        // reused buffer (a readiness server's) stays mapped. So the buffers ask for 2 MiB pages, aligned in the array.
        int bytes = count * size;
        bool huge = bytes >= HugePageSize;
        _buffers = GC.AllocateUninitializedArray<byte>(bytes + (huge ? HugePageSize : 0), pinned: true);
        byte* arrayStart = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_buffers, 0);
        _bufferBase = huge ? (byte*)(((nuint)arrayStart + HugePageSize - 1) & ~(nuint)(HugePageSize - 1)) : arrayStart;
        _bufferOffset = (int)(_bufferBase - arrayStart);
        if (huge)
        {
            // Only advice: with transparent huge pages off (EINVAL) the buffers work the same on small pages.
            _ = Libc.Madvise(_bufferBase, (nuint)(bytes & ~(HugePageSize - 1)), Libc.MADV_HUGEPAGE);
        }

        IoUringBufReg reg = default;
        reg.RingAddress = (ulong)_entries;
        reg.RingEntries = (uint)count;
        reg.GroupId = groupId;
        if (Libc.IoUringRegister(IoUringConstants.SYS_io_uring_register, ring.Fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
        {
            LastError.Throw("io_uring_register(IORING_REGISTER_PBUF_RING)", ring.Fd);
        }
        for (int i = 0; i < count; i++)
        {
            Add((ushort)i);
        }
        Publish();
    }

    public ushort GroupId { get; }

    public int BufferSize { get; }

    public int Count { get; }

    /// <summary>The first <paramref name="length"/> bytes of buffer <paramref name="id"/>, as the kernel filled them.</summary>
    public Span<byte> Buffer(ushort id, int length) => new(_bufferBase + ((long)id * BufferSize), length);

    /// <summary>
    /// Where <paramref name="data"/> starts inside buffer <paramref name="id"/>'s first <paramref name="length"/>
    /// bytes, or -1 when it does not lie wholly inside them.
    /// </summary>
    public int OffsetIn(ushort id, int length, ReadOnlySpan<byte> data)
    {
        long offset = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data)) - (_bufferBase + ((long)id * BufferSize));
        return offset >= 0 && offset + data.Length <= length ? (int)offset : -1;
    }

    /// <summary>Bytes of buffer <paramref name="id"/> as a segment of the pinned array, for a send that outlives the receive.</summary>
    public ArraySegment<byte> Segment(ushort id, int offset, int length) => new(_buffers, _bufferOffset + (id * BufferSize) + offset, length);

    /// <summary>Gives buffer <paramref name="id"/> back to the kernel for the next receive.</summary>
    public void Recycle(ushort id)
    {
        Add(id);
        Publish();
    }

    /// <summary>
    /// Withdraws the group from <paramref name="ring"/>, for an owner that goes before the ring does; only once no
    /// request that may take one of its buffers is in flight.
    /// </summary>
    public void Unregister(IoUringRing ring)
    {
        IoUringBufReg reg = default;
        reg.GroupId = GroupId;
        if (Libc.IoUringRegister(IoUringConstants.SYS_io_uring_register, ring.Fd, IORING_UNREGISTER_PBUF_RING, &reg, 1) < 0)
        {
            LastError.Throw("io_uring_register(IORING_UNREGISTER_PBUF_RING)", ring.Fd);
        }
    }

    private void Add(ushort id)
    {
        IoUringBuf* entry = _entries + (_tail & _mask);
        entry->Address = (ulong)(_bufferBase + ((long)id * BufferSize));
        entry->Length = (uint)BufferSize;
        entry->BufferId = id;
        _tail++;
    }

    // The tail is entry 0's reserved field; the release store makes the entries written before it visible first.
    private void Publish() => Volatile.Write(ref _entries->Reserved, _tail);
}
