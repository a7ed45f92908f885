namespace IoMux.Native;

/// <summary>
/// A system call failed. The message names the call, the errno and the descriptor, e.g.
/// <c>epoll_ctl(ADD) failed on fd 7: EPERM (the target file does not support epoll)</c>.
/// </summary>
public sealed class SyscallException : IOException
{
    /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errno"/>; the message names all three and a hint.</summary>
    /// <param name="call">The call that failed, e.g. <c>epoll_ctl(ADD)</c>.</param>
    /// <param name="errno">The errno the kernel returned; also the exception's <see cref="Exception.HResult"/>.</param>
    /// <param name="fd">The descriptor the call was about, or -1 when none.</param>
    public SyscallException(string call, Errno errno, int fd)
        : base(Describe(call, errno, fd))
    {
        Call = call;
        Errno = errno;
        Fd = fd;
        HResult = (int)errno;
    }

    /// <summary>Creates the exception for an unknown call, errno 0 and no descriptor.</summary>
    public SyscallException() : this("unknown", 0, -1) { }

    /// <summary>Creates the exception with <paramref name="message"/>, an unknown call, errno 0 and no descriptor.</summary>
    /// <param name="message">The message that describes the error.</param>
    public SyscallException(string message) : base(message) { Call = "unknown"; Fd = -1; }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it (unknown call, errno 0, no descriptor).</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SyscallException(string message, Exception innerException) : base(message, innerException) { Call = "unknown"; Fd = -1; }

    /// <summary>The call that failed, e.g. <c>epoll_ctl(ADD)</c>.</summary>
    public string Call { get; }

    /// <summary>The errno the kernel returned.</summary>
    public Errno Errno { get; }

    /// <summary>The descriptor the call was about, or -1 when none.</summary>
    public int Fd { get; }

    private static string Describe(string call, Errno errno, int fd)
    {
        string name = Enum.IsDefined(errno) ? errno.ToString() : $"errno {(int)errno}";
        string where = fd >= 0 ? $" on fd {fd}" : "";
        return $"{call} failed{where}: {name} ({Hint(call, errno)})";
    }

    private static string Hint(string call, Errno errno) => (call, errno) switch
    {
        ("io_uring_setup", Errno.EPERM) => "io_uring is refused: see sysctl kernel.io_uring_disabled and io_uring_group, or a seccomp filter",
        ("io_uring_setup", Errno.ENOSYS) => "the kernel has no io_uring, or a seccomp filter hides it",
        _ => Hint(errno),
    };

    private static string Hint(Errno errno) => errno switch
    {
        Errno.EBADF => "the descriptor is not open",
        Errno.EPERM => "the target file does not support this operation, e.g. a regular file with epoll",
        Errno.ENOENT => "the descriptor is not registered with the kernel object",
        Errno.EEXIST => "the descriptor is already registered with the kernel object",
        Errno.EINVAL => "an argument is invalid",
        Errno.EMFILE => "the process has reached its descriptor limit (ulimit -n)",
        Errno.ENFILE => "the system has reached its descriptor limit",
        Errno.ENOMEM => "the kernel is out of memory",
        Errno.ENOSPC => "a kernel limit was reached (e.g. max_user_watches)",
        Errno.EADDRINUSE => "the address is already in use",
        Errno.EADDRNOTAVAIL => "the address is not available on this machine",
        Errno.EACCES => "permission denied",
        Errno.ECONNRESET => "the peer reset the connection",
        Errno.EPIPE => "the peer closed the connection",
        Errno.ENOSYS => "the kernel does not implement this call",
        _ => "see errno(3)",
    };
}
