namespace IoMux.Native;

/// <summary>The Linux errno values IoMux reacts to or names in messages (asm-generic numbering).</summary>
public enum Errno
{
    /// <summary>Operation not permitted; from epoll_ctl, the file does not support epoll (a regular file or directory).</summary>
    EPERM = 1,
    /// <summary>No such file or directory; from epoll_ctl or an io_uring cancel, the target is not registered.</summary>
    ENOENT = 2,
    /// <summary>Interrupted system call: a signal arrived before the call finished.</summary>
    EINTR = 4,
    /// <summary>Input/output error.</summary>
    EIO = 5,
    /// <summary>Bad file descriptor: the descriptor is not open (or not open for the operation).</summary>
    EBADF = 9,
    /// <summary>No child processes.</summary>
    ECHILD = 10,
    /// <summary>Resource temporarily unavailable: a non-blocking call would block (the same number as EWOULDBLOCK).</summary>
    EAGAIN = 11,
    /// <summary>Cannot allocate memory: the kernel is out of memory, or a locked-memory limit was reached.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied.</summary>
    EACCES = 13,
    /// <summary>Bad address: a pointer passed to the kernel is outside the process's memory.</summary>
    EFAULT = 14,
    /// <summary>Device or resource busy.</summary>
    EBUSY = 16,
    /// <summary>File exists; from epoll_ctl, the descriptor is already registered.</summary>
    EEXIST = 17,
    /// <summary>No such device.</summary>
    ENODEV = 19,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Too many open files in system: the system-wide descriptor limit was reached.</summary>
    ENFILE = 23,
    /// <summary>Too many open files: the process reached its descriptor limit (see <see cref="IoMux.DescriptorLimit"/>).</summary>
    EMFILE = 24,
    /// <summary>No space left on device; from epoll_ctl, <c>max_user_watches</c> was reached.</summary>
    ENOSPC = 28,
    /// <summary>Illegal seek.</summary>
    ESPIPE = 29,
    /// <summary>Broken pipe: writing to a pipe or socket whose peer closed its reading side.</summary>
    EPIPE = 32,
    /// <summary>Result out of range.</summary>
    ERANGE = 34,
    /// <summary>Function not implemented: the kernel lacks the call, or a seccomp filter hides it.</summary>
    ENOSYS = 38,
    /// <summary>Invalid request descriptor.</summary>
    EBADR = 53,
    /// <summary>Timer expired; from io_uring, a timeout request completed.</summary>
    ETIME = 62,
    /// <summary>Too many levels of symbolic links.</summary>
    ELOOP = 40,
    /// <summary>Socket operation on a descriptor that is not a socket.</summary>
    ENOTSOCK = 88,
    /// <summary>Message too long.</summary>
    EMSGSIZE = 90,
    /// <summary>Protocol wrong type for socket.</summary>
    EPROTOTYPE = 91,
    /// <summary>Protocol not available: the socket option is unknown at that level.</summary>
    ENOPROTOOPT = 92,
    /// <summary>Protocol not supported.</summary>
    EPROTONOSUPPORT = 93,
    /// <summary>Operation not supported on the socket or file.</summary>
    EOPNOTSUPP = 95,
    /// <summary>Address family not supported by protocol.</summary>
    EAFNOSUPPORT = 97,
    /// <summary>Address already in use.</summary>
    EADDRINUSE = 98,
    /// <summary>Cannot assign requested address: the address is not on this machine.</summary>
    EADDRNOTAVAIL = 99,
    /// <summary>Network is down.</summary>
    ENETDOWN = 100,
    /// <summary>Network is unreachable.</summary>
    ENETUNREACH = 101,
    /// <summary>Software caused connection abort: a pending connection was reset before it was accepted.</summary>
    ECONNABORTED = 103,
    /// <summary>Connection reset by peer.</summary>
    ECONNRESET = 104,
    /// <summary>No buffer space available; from io_uring, no provided buffer was free for a receive.</summary>
    ENOBUFS = 105,
    /// <summary>Transport endpoint is already connected.</summary>
    EISCONN = 106,
    /// <summary>Transport endpoint is not connected.</summary>
    ENOTCONN = 107,
    /// <summary>Connection timed out (retransmissions or keep-alive probes went unanswered).</summary>
    ETIMEDOUT = 110,
    /// <summary>Connection refused.</summary>
    ECONNREFUSED = 111,
    /// <summary>No route to host.</summary>
    EHOSTUNREACH = 113,
    /// <summary>Operation already in progress; from an io_uring cancel, the request is already running.</summary>
    EALREADY = 114,
    /// <summary>Operation now in progress: a non-blocking connect has started.</summary>
    EINPROGRESS = 115,
    /// <summary>Operation canceled: an io_uring request was cancelled before it completed.</summary>
    ECANCELED = 125,
}
