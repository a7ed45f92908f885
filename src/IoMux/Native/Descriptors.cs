namespace IoMux.Native;

/// <summary>Safe wrappers over the descriptor calls used above Native/: each checks errno once.</summary>
internal static unsafe class Descriptors
{
    /// <summary>True when <paramref name="fd"/> names an open descriptor of this process.</summary>
    public static bool IsOpen(int fd) => fd >= 0 && Libc.Fcntl(fd, Constants.F_GETFD, 0) >= 0;

    public static void SetNonBlocking(int fd, bool nonBlocking)
    {
        int flags = LastError.Check(Libc.Fcntl(fd, Constants.F_GETFL, 0), "fcntl(F_GETFL)", fd);
        int wanted = nonBlocking ? flags | Constants.O_NONBLOCK : flags & ~Constants.O_NONBLOCK;
        if (wanted != flags)
        {
            LastError.Check(Libc.Fcntl(fd, Constants.F_SETFL, wanted), "fcntl(F_SETFL)", fd);
        }
    }

    public static bool IsNonBlocking(int fd) =>
        (LastError.Check(Libc.Fcntl(fd, Constants.F_GETFL, 0), "fcntl(F_GETFL)", fd) & Constants.O_NONBLOCK) != 0;

    /// <summary>A pipe: (read end, write end), close-on-exec, optionally non-blocking.</summary>
    public static (FileDescriptor Read, FileDescriptor Write) Pipe(bool nonBlocking = true)
    {
        int* fds = stackalloc int[2];
        int flags = Constants.O_CLOEXEC | (nonBlocking ? Constants.O_NONBLOCK : 0);
        LastError.Check(Libc.Pipe2(fds, flags), "pipe2", -1);
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }

    /// <summary>A connected pair of AF_UNIX stream sockets, close-on-exec, optionally non-blocking.</summary>
    public static (FileDescriptor A, FileDescriptor B) SocketPair(bool nonBlocking = true)
    {
        int* fds = stackalloc int[2];
        int type = Constants.SOCK_STREAM | Constants.SOCK_CLOEXEC | (nonBlocking ? Constants.SOCK_NONBLOCK : 0);
        LastError.Check(Libc.SocketPair(Constants.AF_UNIX, type, 0, fds), "socketpair", -1);
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }

    /// <summary>A non-blocking, close-on-exec eventfd with counter 0.</summary>
    public static FileDescriptor EventFd() =>
        new(LastError.Check(Libc.EventFd(0, Constants.EFD_NONBLOCK | Constants.EFD_CLOEXEC), "eventfd", -1));

    /// <summary>read(2); returns bytes read, 0 at EOF, or -1 with <paramref name="errno"/> set.</summary>
    public static int Read(int fd, Span<byte> buffer, out Errno errno)
    {
        fixed (byte* p = buffer)
        {
            nint n = Libc.Read(fd, p, (nuint)buffer.Length);
            errno = n < 0 ? LastError.Get() : 0;
            return (int)n;
        }
    }

    /// <summary>write(2); returns bytes written, or -1 with <paramref name="errno"/> set.</summary>
    public static int Write(int fd, ReadOnlySpan<byte> data, out Errno errno)
    {
        fixed (byte* p = data)
        {
            nint n = Libc.Write(fd, p, (nuint)data.Length);
            errno = n < 0 ? LastError.Get() : 0;
            return (int)n;
        }
    }

    /// <summary>read(2) that throws on any error except EAGAIN, which returns -1.</summary>
    public static int ReadOrThrow(int fd, Span<byte> buffer)
    {
        int n = Read(fd, buffer, out Errno errno);
        if (n < 0 && errno != Errno.EAGAIN)
        {
            throw new SyscallException("read", errno, fd);
        }
        return n;
    }

    /// <summary>write(2) that throws on any error except EAGAIN, which returns -1.</summary>
    public static int WriteOrThrow(int fd, ReadOnlySpan<byte> data)
    {
        int n = Write(fd, data, out Errno errno);
        if (n < 0 && errno != Errno.EAGAIN)
        {
            throw new SyscallException("write", errno, fd);
        }
        return n;
    }

    /// <summary>
    /// True when the peer has shut down its writing side (POLLRDHUP), asked of the kernel with a
    /// zero-timeout poll(2) on this one descriptor. Unlike a MSG_PEEK recv, this consumes nothing:
    /// a peek on a reset socket returns (and clears) the pending ECONNRESET, which the owner would
    /// then never see. False for a descriptor that cannot hang up (a pipe) or on any error.
    /// </summary>
    public static bool HasReadHangup(int fd)
    {
        PollFd probe = new() { Fd = fd, Events = Constants.POLLRDHUP };
        return Libc.Poll(&probe, 1, 0) > 0 && (probe.REvents & Constants.POLLRDHUP) != 0;
    }

    /// <summary>The soft and hard RLIMIT_NOFILE.</summary>
    public static (ulong Soft, ulong Hard) GetFdLimit()
    {
        RLimit limit;
        LastError.Check(Libc.GetRLimit(Constants.RLIMIT_NOFILE, &limit), "getrlimit(RLIMIT_NOFILE)", -1);
        return (limit.Current, limit.Maximum);
    }

    /// <summary>Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.</summary>
    public static ulong RaiseFdLimitToHard()
    {
        RLimit limit;
        LastError.Check(Libc.GetRLimit(Constants.RLIMIT_NOFILE, &limit), "getrlimit(RLIMIT_NOFILE)", -1);
        if (limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            LastError.Check(Libc.SetRLimit(Constants.RLIMIT_NOFILE, &limit), "setrlimit(RLIMIT_NOFILE)", -1);
        }
        return limit.Current;
    }

    /// <summary>The number of descriptors this process has open (entries of /proc/self/fd).</summary>
    public static int CountOpen() => Directory.GetFiles("/proc/self/fd").Length;
}
