using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary><c>struct io_uring_buf</c> (16 bytes): one provided buffer. Entry 0's <c>resv</c> field is the ring's tail.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringBuf
{
    public ulong Address;
    public uint Length;
    public ushort BufferId;
    public ushort Reserved;
}

/// <summary><c>struct io_uring_buf_reg</c> (40 bytes): where a provided-buffer ring lives and its group id.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringBufReg
{
    public ulong RingAddress;
    public uint RingEntries;
    public ushort GroupId;
    public ushort Flags;
    public fixed ulong Reserved[3];
}

/// <summary><c>struct msghdr</c> (56 bytes on 64-bit Linux), for IORING_OP_SENDMSG's gather list.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}
