namespace IoMux.Native;

/// <summary>io_uring ABI values from <c>linux/io_uring.h</c> (the same on every architecture).</summary>
internal static class IoUringConstants
{
    // System call numbers: x86-64 and arm64 (asm-generic) share them.
    public const long SYS_io_uring_setup = 425;
    public const long SYS_io_uring_enter = 426;
    public const long SYS_io_uring_register = 427;

    public const uint IORING_SETUP_SQPOLL = 1u << 1;
    public const uint IORING_SETUP_CQSIZE = 1u << 3;

    public const uint IORING_FEAT_SINGLE_MMAP = 1u << 0;
    public const uint IORING_FEAT_NODROP = 1u << 1;
    public const uint IORING_FEAT_EXT_ARG = 1u << 8;

    public const long IORING_OFF_SQ_RING = 0;
    public const long IORING_OFF_CQ_RING = 0x8000000;
    public const long IORING_OFF_SQES = 0x10000000;

    public const uint IORING_ENTER_GETEVENTS = 1u << 0;
    public const uint IORING_ENTER_SQ_WAKEUP = 1u << 1;
    public const uint IORING_ENTER_SQ_WAIT = 1u << 2;
    public const uint IORING_ENTER_EXT_ARG = 1u << 3;

    /// <summary>In the submission ring's flags: completions are waiting in the kernel for room in the completion ring.</summary>
    public const uint IORING_SQ_CQ_OVERFLOW = 1u << 1;

    public const byte IORING_OP_POLL_ADD = 6;
    public const byte IORING_OP_POLL_REMOVE = 7;

    /// <summary>In a POLL_ADD's <c>len</c>: keep the poll armed and post a completion per wake-up (Linux 5.13).</summary>
    public const uint IORING_POLL_ADD_MULTI = 1u << 0;

    /// <summary>In a completion's flags: the request stays armed and will post more completions.</summary>
    public const uint IORING_CQE_F_MORE = 1u << 1;

    public const int IORING_REGISTER_PROBE = 8;
    public const ushort IO_URING_OP_SUPPORTED = 1;

    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;
    public const int MAP_POPULATE = 0x8000;
}
