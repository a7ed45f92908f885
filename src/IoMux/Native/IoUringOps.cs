namespace IoMux.Native;

/// <summary>
/// io_uring ABI values the completion transport needs beyond poll requests (<c>linux/io_uring.h</c>):
/// socket operations, provided-buffer rings and cancellation.
/// </summary>
internal static class IoUringOps
{
    /// <summary>
    /// io_uring_setup flag (Linux 5.19): completions' task work runs when the ring's thread next enters the kernel
    /// instead of interrupting it. Our loop enters once per turn to wait anyway.
    /// </summary>
    public const uint IORING_SETUP_COOP_TASKRUN = 1u << 8;

    public const byte IORING_OP_SENDMSG = 9;
    public const byte IORING_OP_RECVMSG = 10;
    public const byte IORING_OP_ASYNC_CANCEL = 14;
    public const byte IORING_OP_CONNECT = 16;
    public const byte IORING_OP_SEND = 26;
    public const byte IORING_OP_RECV = 27;

    /// <summary>In an entry's flags: take the buffer from the group named in <c>buf_group</c> when data arrives.</summary>
    public const byte IOSQE_BUFFER_SELECT = 1 << 5;

    /// <summary>In a completion's flags: a provided buffer was used; its id is in the upper 16 bits.</summary>
    public const uint IORING_CQE_F_BUFFER = 1u << 0;
    public const int IORING_CQE_BUFFER_SHIFT = 16;

    /// <summary>In a completion's flags: the request stays armed and more completions of it follow (multishot).</summary>
    public const uint IORING_CQE_F_MORE = 1u << 1;

    /// <summary>In a receive's ioprio: multishot (Linux 6.0), one completion per message until it fails or is cancelled.</summary>
    public const ushort IORING_RECV_MULTISHOT = 1 << 1;

    /// <summary>io_uring_register opcodes for a ring of provided buffers (Linux 5.19).</summary>
    public const int IORING_REGISTER_PBUF_RING = 22;
    public const int IORING_UNREGISTER_PBUF_RING = 23;
}
