using System.Net;
using System.Net.Sockets;

namespace IoMux.Native;

/// <summary>
/// The client side of TCP on raw descriptors: a non-blocking connect, its outcome, and send/recv that
/// report errno instead of throwing (a load generator counts errors per connection and goes on).
/// </summary>
internal static unsafe class ClientSockets
{
    /// <summary>
    /// Opens a non-blocking, close-on-exec TCP socket with TCP_NODELAY and starts connecting it to
    /// <paramref name="endpoint"/>. <paramref name="connected"/> is true when the connect finished at once
    /// (rare, even on loopback); otherwise wait for writability and ask <see cref="PendingError"/>.
    /// </summary>
    public static FileDescriptor StartConnect(IPEndPoint endpoint, out bool connected)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        int domain = endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? Constants.AF_INET6 : Constants.AF_INET;
        int type = Constants.SOCK_STREAM | Constants.SOCK_NONBLOCK | Constants.SOCK_CLOEXEC;
        var socket = new FileDescriptor(LastError.Check(Libc.Socket(domain, type, 0), "socket", -1));
        try
        {
            int one = 1;
            LastError.Check(Libc.SetSockOpt(socket.Fd, Constants.IPPROTO_TCP, Constants.TCP_NODELAY, &one, sizeof(int)), "setsockopt(TCP_NODELAY)", socket.Fd);
            // SocketAddress holds the kernel's own sockaddr layout for this platform.
            SocketAddress address = endpoint.Serialize();
            int result;
            fixed (byte* p = address.Buffer.Span)
            {
                result = Libc.Connect(socket.Fd, p, (uint)address.Size);
            }
            connected = result == 0;
            if (result < 0)
            {
                Errno errno = LastError.Get();
                if (errno != Errno.EINPROGRESS)
                {
                    throw new SyscallException($"connect({endpoint})", errno, socket.Fd);
                }
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The socket's pending error (SO_ERROR), cleared by reading it: 0 once a connect succeeded.</summary>
    public static Errno PendingError(int fd)
    {
        int error = 0;
        uint length = sizeof(int);
        LastError.Check(Libc.GetSockOpt(fd, Constants.SOL_SOCKET, Constants.SO_ERROR, &error, &length), "getsockopt(SO_ERROR)", fd);
        return (Errno)error;
    }

    /// <summary>send(2) with MSG_NOSIGNAL (a reset peer is EPIPE, not SIGPIPE); bytes sent, or -1 with <paramref name="errno"/>.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> data, out Errno errno)
    {
        fixed (byte* p = data)
        {
            nint n = Libc.Send(fd, p, (nuint)data.Length, Constants.MSG_NOSIGNAL);
            errno = n < 0 ? LastError.Get() : 0;
            return (int)n;
        }
    }
}
