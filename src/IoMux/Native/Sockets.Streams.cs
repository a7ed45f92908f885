using System.Net;
using System.Net.Sockets;
using static IoMux.Native.Constants;

namespace IoMux.Native;

/// <summary>Stream sockets beyond TCP listening: outbound connects, Unix domain listeners and listeners handed to the process.</summary>
internal static unsafe partial class Sockets
{
    /// <summary>A new non-blocking, close-on-exec stream socket of <paramref name="family"/> (AF_INET, AF_INET6 or AF_UNIX).</summary>
    public static FileDescriptor OpenStream(int family) =>
        new(LastError.Check(Libc.Socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket", -1));

    /// <summary>bind(2) to <paramref name="endPoint"/>; errno when refused (EADDRINUSE, EADDRNOTAVAIL, EACCES...).</summary>
    public static Errno Bind(int fd, EndPoint endPoint)
    {
        byte* address = stackalloc byte[SockAddr.MaxSize];
        uint length = SockAddr.Encode(endPoint, new Span<byte>(address, SockAddr.MaxSize));
        return Libc.Bind(fd, address, length) == 0 ? 0 : LastError.Get();
    }

    /// <summary>
    /// A non-blocking connect(2) to the address in <paramref name="address"/>: 0 when connected at once,
    /// EINPROGRESS when under way (wait for writability, then <see cref="PendingError"/>), else the failure.
    /// A Unix socket never answers EINPROGRESS: it connects at once, or the listener's backlog is full (EAGAIN).
    /// </summary>
    public static Errno StartConnect(int fd, byte* address, uint length)
    {
        while (true)
        {
            if (Libc.Connect(fd, address, length) == 0)
            {
                return 0;
            }
            Errno errno = LastError.Get();
            if (errno != Errno.EINTR)
            {
                return errno;
            }
        }
    }

    /// <summary>
    /// A listening Unix stream socket on <paramref name="endPoint"/>. A socket file left by a process that died
    /// (nothing accepts on it: connect is refused) is removed and replaced; one a live server answers on is refused
    /// with EADDRINUSE, and so is a path held by anything that is not a socket (it is never removed).
    /// </summary>
    public static FileDescriptor ListenUnix(UnixDomainSocketEndPoint endPoint, int backlog)
    {
        FileDescriptor socket = OpenStream(AF_UNIX);
        try
        {
            Errno bound = Bind(socket.Fd, endPoint);
            if (bound == Errno.EADDRINUSE && SockAddr.UnixPath(endPoint) is { } path && IsStale(endPoint, path))
            {
                Files.Unlink(path);
                bound = Bind(socket.Fd, endPoint);
            }
            if (bound != 0)
            {
                throw new SyscallException(bound == Errno.EADDRINUSE ? $"bind({Describe(endPoint)}: another socket is live there)" : $"bind({Describe(endPoint)})", bound, socket.Fd);
            }
            LastError.Check(Libc.Listen(socket.Fd, backlog), "listen", socket.Fd);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>How a Unix endpoint is written in messages: its path, or <c>@name</c> for an abstract name.</summary>
    public static string Describe(EndPoint endPoint) => endPoint is UnixDomainSocketEndPoint ? $"unix:{endPoint}" : endPoint.ToString() ?? "";

    /// <summary>
    /// Whether <paramref name="path"/> is a socket file nobody listens on. A live listener accepts the probe (or its
    /// backlog is full: EAGAIN); a dead one's file refuses it. Anything but a socket is never called stale.
    /// </summary>
    private static bool IsStale(UnixDomainSocketEndPoint endPoint, string path)
    {
        if (Files.Identify(path) is not { IsSocket: true })
        {
            return false;
        }
        using FileDescriptor probe = OpenStream(AF_UNIX);
        byte* address = stackalloc byte[SockAddr.MaxSize];
        uint length = SockAddr.Encode(endPoint, new Span<byte>(address, SockAddr.MaxSize));
        return StartConnect(probe.Fd, address, length) == Errno.ECONNREFUSED;
    }

    /// <summary>dup(2) with close-on-exec: another number for the same listening socket (one per loop).</summary>
    public static FileDescriptor Duplicate(int fd) =>
        new(LastError.Check(Libc.Fcntl(fd, F_DUPFD_CLOEXEC, 0), "fcntl(F_DUPFD_CLOEXEC)", fd));

    /// <summary>Marks a descriptor the process was handed close-on-exec, so programs it starts do not inherit it.</summary>
    public static void SetCloseOnExec(int fd) => LastError.Check(Libc.Fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl(F_SETFD)", fd);

    /// <summary>
    /// Checks that <paramref name="fd"/> is a listening stream socket and returns its family (AF_INET, AF_INET6 or
    /// AF_UNIX); anything else throws <see cref="ArgumentException"/> saying what it is instead.
    /// </summary>
    public static int CheckListening(int fd, string paramName)
    {
        int type = GetOption(fd, SOL_SOCKET, SO_TYPE, out Errno errno);
        if (errno != 0)
        {
            throw new ArgumentException(errno switch
            {
                Errno.EBADF => $"descriptor {fd} is not open; pass a listening socket's descriptor",
                Errno.ENOTSOCK => $"descriptor {fd} is not a socket; pass a listening stream socket",
                _ => new SyscallException("getsockopt(SO_TYPE)", errno, fd).Message,
            }, paramName);
        }
        if (type != SOCK_STREAM)
        {
            throw new ArgumentException($"descriptor {fd} is a {(type == SOCK_DGRAM ? "datagram" : $"type {type}")} socket; a server needs a listening stream socket", paramName);
        }
        if (GetOption(fd, SOL_SOCKET, SO_ACCEPTCONN, out errno) == 0)
        {
            throw new ArgumentException(errno == 0
                ? $"descriptor {fd} is a stream socket that is not listening; call listen(2) on it before handing it over"
                : new SyscallException("getsockopt(SO_ACCEPTCONN)", errno, fd).Message, paramName);
        }
        int family = GetOption(fd, SOL_SOCKET, SO_DOMAIN, out errno);
        if (errno != 0 || family is not (AF_INET or AF_INET6 or AF_UNIX))
        {
            throw new ArgumentException($"descriptor {fd} is a listening socket of family {family}; IoMux serves TCP (IPv4, IPv6) and Unix stream sockets", paramName);
        }
        return family;
    }

    private static int GetOption(int fd, int level, int name, out Errno errno)
    {
        int value = 0;
        uint length = sizeof(int);
        errno = Libc.GetSockOpt(fd, level, name, &value, &length) < 0 ? LastError.Get() : 0;
        return value;
    }
}
