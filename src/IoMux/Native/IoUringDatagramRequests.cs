using static IoMux.Native.IoUringOps;

namespace IoMux.Native;

/// <summary>The submission entries of the datagram endpoint's completion path, so that nothing above Native names an opcode or a flag.</summary>
internal static unsafe class IoUringDatagramRequests
{
    /// <summary>
    /// A multishot recvmsg (Linux 6.0): one completion per datagram, each in a buffer of provided-buffer group
    /// <paramref name="group"/> laid out as <see cref="IoUringRecvMsgOut"/>, the source address in a region of
    /// <paramref name="header"/>'s <c>msg_namelen</c> bytes, then the payload. MSG_TRUNC makes the header carry a
    /// datagram's real length, so one that did not fit is told apart. The header is read when the request starts.
    /// </summary>
    public static IoUringSqe ReceiveMessages(int fd, MessageHeader* header, ushort group) => new()
    {
        Opcode = IORING_OP_RECVMSG,
        Flags = IOSQE_BUFFER_SELECT,
        IoPriority = IORING_RECV_MULTISHOT,
        Fd = fd,
        Address = (ulong)header,
        Length = 1,
        PollEvents = DatagramConstants.MSG_TRUNC,
        BufferGroup = group,
    };

    /// <summary>sendmsg(2) of one datagram as <paramref name="header"/> describes it (address and payload), which must stay untouched until it completes.</summary>
    public static IoUringSqe SendMessage(int fd, MessageHeader* header) => new()
    {
        Opcode = IORING_OP_SENDMSG,
        Fd = fd,
        Address = (ulong)header,
        Length = 1,
        PollEvents = (uint)Constants.MSG_NOSIGNAL,
    };
}
