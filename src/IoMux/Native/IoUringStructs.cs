using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary><c>struct io_sqring_offsets</c> (40 bytes): where each submission-ring field sits in the mapping.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoSqRingOffsets
{
    public uint Head;
    public uint Tail;
    public uint RingMask;
    public uint RingEntries;
    public uint Flags;
    public uint Dropped;
    public uint Array;
    public uint Reserved1;
    public ulong UserAddress;
}

/// <summary><c>struct io_cqring_offsets</c> (40 bytes): where each completion-ring field sits in the mapping.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoCqRingOffsets
{
    public uint Head;
    public uint Tail;
    public uint RingMask;
    public uint RingEntries;
    public uint Overflow;
    public uint Cqes;
    public uint Flags;
    public uint Reserved1;
    public ulong UserAddress;
}

/// <summary><c>struct io_uring_params</c> (120 bytes): in, the sizes asked for; out, the features and ring offsets.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringParams
{
    public uint SqEntries;
    public uint CqEntries;
    public uint Flags;
    public uint SqThreadCpu;
    public uint SqThreadIdle;
    public uint Features;
    public uint WqFd;
    public fixed uint Reserved[3];
    public IoSqRingOffsets SqOff;
    public IoCqRingOffsets CqOff;
}

/// <summary>
/// <c>struct io_uring_sqe</c> (64 bytes). Only the fields a poll request uses are named; the rest of
/// the union members keep their offsets as padding and stay zero.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct IoUringSqe
{
    [FieldOffset(0)] public byte Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPriority;
    [FieldOffset(4)] public int Fd;
    [FieldOffset(8)] public ulong Offset;
    /// <summary>For POLL_REMOVE: the user_data of the poll to remove.</summary>
    [FieldOffset(16)] public ulong Address;
    /// <summary>For POLL_ADD: <see cref="IoUringConstants.IORING_POLL_ADD_MULTI"/> or 0.</summary>
    [FieldOffset(24)] public uint Length;
    /// <summary>For POLL_ADD: the poll(2) event bits, 32 bits wide (<c>poll32_events</c>).</summary>
    [FieldOffset(28)] public uint PollEvents;
    [FieldOffset(32)] public ulong UserData;
    /// <summary>For a request with IOSQE_BUFFER_SELECT: the provided-buffer group to take a buffer from.</summary>
    [FieldOffset(40)] public ushort BufferGroup;
    /// <summary>For a multishot RECV (Linux 6.17): the bytes after which it ends (<c>optlen</c>; 0: no limit).</summary>
    [FieldOffset(44)] public uint OptionLength;
}

/// <summary><c>struct io_uring_cqe</c> (16 bytes): which request, its result (negative errno on failure), flags.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringCqe
{
    public ulong UserData;
    public int Result;
    public uint Flags;
}

/// <summary><c>struct __kernel_timespec</c>: 64-bit seconds and nanoseconds on every architecture.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KernelTimespec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary><c>struct io_uring_getevents_arg</c> (24 bytes), passed to io_uring_enter with IORING_ENTER_EXT_ARG.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringGetEventsArg
{
    public ulong SignalMask;
    public uint SignalMaskSize;
    public uint Pad;
    public ulong Timespec;
}

/// <summary><c>struct io_uring_probe_op</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringProbeOp
{
    public byte Op;
    public byte Reserved;
    public ushort Flags;
    public uint Reserved2;
}

/// <summary><c>struct io_uring_probe</c> (16-byte header) followed by room for 256 <see cref="IoUringProbeOp"/>s.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringProbe
{
    public const int Capacity = 256;

    public byte LastOp;
    public byte OpsLength;
    public ushort Reserved;
    public fixed uint Reserved2[3];
    public fixed ulong Ops[Capacity];

    /// <summary>Whether the kernel that filled <paramref name="probe"/> implements <paramref name="opcode"/>.</summary>
    public static bool Supports(IoUringProbe* probe, byte opcode) =>
        opcode <= probe->LastOp && opcode < probe->OpsLength &&
        (((IoUringProbeOp*)probe->Ops)[opcode].Flags & IoUringConstants.IO_URING_OP_SUPPORTED) != 0;
}
