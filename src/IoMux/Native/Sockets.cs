using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static IoMux.Native.Constants;

namespace IoMux.Native;

/// <summary>
/// Safe wrappers over the socket calls the transport makes. Every socket is non-blocking and
/// close-on-exec from birth; calls on the data path report errno instead of throwing, because
/// EAGAIN and a peer's reset are ordinary outcomes there, not exceptions.
/// </summary>
internal static unsafe partial class Sockets
{
    /// <summary>The most iovecs one gather write passes (well under IOV_MAX, 1024).</summary>
    public const int MaxGatherSegments = 64;

    /// <summary>
    /// A bound, listening TCP socket. <paramref name="reusePort"/> sets SO_REUSEPORT so several
    /// listeners (one per event loop) share the port and the kernel spreads connections among them.
    /// </summary>
    public static FileDescriptor Listen(IPEndPoint endPoint, int backlog, bool reusePort)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        int family = endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET;
        var socket = new FileDescriptor(LastError.Check(Libc.Socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket", -1));
        try
        {
            // A restarted server must not wait out TIME_WAIT connections of its previous life.
            SetOption(socket.Fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)");
            if (reusePort)
            {
                SetOption(socket.Fd, SOL_SOCKET, SO_REUSEPORT, 1, "setsockopt(SO_REUSEPORT)");
            }
            byte* address = stackalloc byte[SockAddr.MaxSize];
            uint length = SockAddr.Encode(endPoint, new Span<byte>(address, SockAddr.MaxSize));
            LastError.Check(Libc.Bind(socket.Fd, address, length), "bind", socket.Fd);
            LastError.Check(Libc.Listen(socket.Fd, backlog), "listen", socket.Fd);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; returns the new descriptor, or -1 with <paramref name="errno"/> set.</summary>
    public static int Accept(int listener, out Errno errno)
    {
        int fd = Libc.Accept4(listener, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
        errno = fd < 0 ? LastError.Get() : 0;
        return fd;
    }

    /// <summary>The address a socket is bound to (the real port after binding port 0).</summary>
    public static EndPoint LocalEndPoint(int fd)
    {
        byte* address = stackalloc byte[SockAddr.MaxSize];
        uint length = SockAddr.MaxSize;
        LastError.Check(Libc.GetSockName(fd, address, &length), "getsockname", fd);
        return SockAddr.Decode(new ReadOnlySpan<byte>(address, (int)length));
    }

    /// <summary>The address of a connected socket's peer, or <see langword="null"/> when it has none any more (ENOTCONN: reset before this was asked).</summary>
    public static EndPoint? RemoteEndPoint(int fd)
    {
        byte* address = stackalloc byte[SockAddr.MaxSize];
        uint length = SockAddr.MaxSize;
        if (Libc.GetPeerName(fd, address, &length) != 0)
        {
            Errno errno = LastError.Get();
            return errno == Errno.ENOTCONN ? null : throw new SyscallException("getpeername", errno, fd);
        }
        return SockAddr.Decode(new ReadOnlySpan<byte>(address, (int)length));
    }

    /// <summary>recv(2); returns bytes read, 0 at EOF, or -1 with <paramref name="errno"/> set.</summary>
    public static int Receive(int fd, Span<byte> buffer, out Errno errno)
    {
        fixed (byte* p = buffer)
        {
            nint n = Libc.Recv(fd, p, (nuint)buffer.Length, 0);
            errno = n < 0 ? LastError.Get() : 0;
            return (int)n;
        }
    }

    /// <summary>send(2) with MSG_NOSIGNAL; returns bytes sent, or -1 with <paramref name="errno"/> set.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> data, out Errno errno)
    {
        fixed (byte* p = data)
        {
            nint n = Libc.Send(fd, p, (nuint)data.Length, MSG_NOSIGNAL);
            errno = n < 0 ? LastError.Get() : 0;
            return (int)n;
        }
    }

    /// <summary>
    /// writev(2) of up to <see cref="MaxGatherSegments"/> segments in one call; returns bytes written, or -1
    /// with <paramref name="errno"/> set. Every segment's array must be pinned (allocated on the pinned object
    /// heap): the kernel reads the addresses taken here. A peer that has gone yields EPIPE, not SIGPIPE,
    /// because the .NET runtime ignores SIGPIPE for the whole process.
    /// </summary>
    public static long SendGather(int fd, ReadOnlySpan<ArraySegment<byte>> segments, out Errno errno)
    {
        int count = Math.Min(segments.Length, MaxGatherSegments);
        IoVec* vectors = stackalloc IoVec[count];
        for (int i = 0; i < count; i++)
        {
            ArraySegment<byte> segment = segments[i];
            vectors[i].Base = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset);
            vectors[i].Length = (nuint)segment.Count;
        }
        nint n = Libc.Writev(fd, vectors, count);
        errno = n < 0 ? LastError.Get() : 0;
        return n;
    }

    /// <summary>shutdown(SHUT_WR): queues a FIN after the data already sent. False when the socket is no longer connected.</summary>
    public static bool ShutdownWrite(int fd) => Libc.Shutdown(fd, SHUT_WR) == 0;

    /// <summary>The error pending on a socket (SO_ERROR), which reading also clears; 0 when none.</summary>
    public static Errno PendingError(int fd)
    {
        int value = 0;
        uint length = sizeof(int);
        return Libc.GetSockOpt(fd, SOL_SOCKET, SO_ERROR, &value, &length) < 0 ? LastError.Get() : (Errno)value;
    }

    private static void SetOption(int fd, int level, int name, int value, string call)
    {
        LastError.Check(Libc.SetSockOpt(fd, level, name, &value, sizeof(int)), call, fd);
    }
}
