using System.Net;
using System.Net.Sockets;
using static IoMux.Native.Constants;
using static IoMux.Native.DatagramConstants;

namespace IoMux.Native;

/// <summary>
/// The UDP socket calls: open and bind, connect, options, one datagram, and batches of them. Sockets are
/// non-blocking and close-on-exec from birth; data-path calls report errno instead of throwing, because EAGAIN
/// and an ICMP error from the peer are ordinary outcomes there.
/// </summary>
internal static unsafe class DatagramSockets
{
    /// <summary>
    /// A bound UDP socket. <paramref name="dualStack"/> on an IPv6 address clears IPV6_V6ONLY so IPv4 peers reach it
    /// too (as IPv4-mapped addresses); <paramref name="reusePort"/> lets one socket per loop share the port.
    /// </summary>
    public static FileDescriptor Open(IPEndPoint local, bool dualStack, bool reusePort)
    {
        ArgumentNullException.ThrowIfNull(local);
        SocketAddressBytes address = SocketAddressBytes.From(local);
        int family = local.AddressFamily == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET;
        var socket = new FileDescriptor(LastError.Check(Libc.Socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket(SOCK_DGRAM)", -1));
        try
        {
            if (family == AF_INET6)
            {
                SetOption(socket.Fd, IPPROTO_IPV6, IPV6_V6ONLY, dualStack ? 0 : 1, "setsockopt(IPV6_V6ONLY)");
            }
            if (reusePort)
            {
                SetOption(socket.Fd, SOL_SOCKET, SO_REUSEPORT, 1, "setsockopt(SO_REUSEPORT)");
            }
            // Named before the call: formatting the address could make a call of its own and replace errno.
            string call = $"bind({local})";
            LastError.Check(Libc.Bind(socket.Fd, (byte*)&address, address.Length), call, socket.Fd);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Fixes the peer: only its datagrams are received, sends need no address, and its ICMP errors reach us.</summary>
    public static void Connect(int fd, IPEndPoint remote)
    {
        SocketAddressBytes address = SocketAddressBytes.From(remote);
        string call = $"connect({remote})";
        LastError.Check(Libc.Connect(fd, (byte*)&address, address.Length), call, fd);
    }

    public static void SetReceiveBuffer(int fd, int bytes) => SetOption(fd, SOL_SOCKET, SO_RCVBUF, bytes, "setsockopt(SO_RCVBUF)");

    public static void SetSendBuffer(int fd, int bytes) => SetOption(fd, SOL_SOCKET, SO_SNDBUF, bytes, "setsockopt(SO_SNDBUF)");

    /// <summary>The hop limit of unicast datagrams (IP_TTL, or IPV6_UNICAST_HOPS on an IPv6 socket).</summary>
    public static void SetTimeToLive(int fd, bool ipv6, int hops) => SetOption(
        fd, ipv6 ? IPPROTO_IPV6 : IPPROTO_IP, ipv6 ? IPV6_UNICAST_HOPS : IP_TTL, hops, ipv6 ? "setsockopt(IPV6_UNICAST_HOPS)" : "setsockopt(IP_TTL)");

    /// <summary>A socket option's value as the kernel holds it (for SO_RCVBUF / SO_SNDBUF, twice what was asked: it counts its overhead).</summary>
    public static int GetOption(int fd, int level, int name)
    {
        int value = 0;
        uint length = sizeof(int);
        LastError.Check(Libc.GetSockOpt(fd, level, name, &value, &length), "getsockopt", fd);
        return value;
    }

    /// <summary>sendto(2) of one datagram (<paramref name="address"/> null: to the connected peer); bytes sent, or -1 with <paramref name="errno"/> set.</summary>
    public static int SendTo(int fd, ReadOnlySpan<byte> payload, SocketAddressBytes* address, out Errno errno)
    {
        fixed (byte* p = payload)
        {
            nint n = Libc.SendTo(fd, p, (nuint)payload.Length, MSG_NOSIGNAL, (byte*)address, address is null ? 0 : address->Length);
            errno = n < 0 ? LastError.Get() : 0;
            return (int)n;
        }
    }

    /// <summary>
    /// recvmmsg(2) of up to <paramref name="count"/> datagrams into <paramref name="batch"/>, without blocking; each
    /// message's length is the datagram's real length (MSG_TRUNC), so one that did not fit is told apart. Returns how
    /// many arrived, or -1 with <paramref name="errno"/> set (EAGAIN: none waiting; a pending ICMP error: its errno).
    /// </summary>
    public static int Receive(int fd, MessageBatch batch, int count, out Errno errno)
    {
        batch.PrepareReceive(count);
        int n = Libc.RecvMmsg(fd, batch.Messages, (uint)count, MSG_TRUNC, null);
        errno = n < 0 ? LastError.Get() : 0;
        return n;
    }

    /// <summary>
    /// sendmmsg(2) of the first <paramref name="count"/> prepared messages; how many the kernel took, or -1 with
    /// <paramref name="errno"/> set for the first one (a later message's error shows on the next call).
    /// </summary>
    public static int Send(int fd, MessageBatch batch, int count, out Errno errno)
    {
        int n = Libc.SendMmsg(fd, batch.Messages, (uint)count, MSG_NOSIGNAL);
        errno = n < 0 ? LastError.Get() : 0;
        return n;
    }

    private static void SetOption(int fd, int level, int name, int value, string call)
    {
        LastError.Check(Libc.SetSockOpt(fd, level, name, &value, sizeof(int)), call, fd);
    }
}
