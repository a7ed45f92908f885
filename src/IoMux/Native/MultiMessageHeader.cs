using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary><c>struct mmsghdr</c> (64 bytes on 64-bit Linux): a <c>msghdr</c> and the bytes the kernel moved for it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MultiMessageHeader
{
    public MessageHeader Header;
    public uint Length;
}

/// <summary>
/// <c>struct io_uring_recvmsg_out</c> (16 bytes): the header a multishot RECVMSG writes at the start of each
/// provided buffer, followed by the source address (in a region as long as the request's <c>msg_namelen</c>),
/// the control data and then the payload.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoUringRecvMsgOut
{
    public uint NameLength;
    public uint ControlLength;
    /// <summary>The datagram's real length when the request asked for MSG_TRUNC, however much of it was copied.</summary>
    public uint PayloadLength;
    public uint Flags;
}
