using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoMux.Tests.Transport;

/// <summary>
/// What the kernel holds in a loopback TCP socket's queues, read from /proc/net/tcp: lets a test wait for bytes to
/// have arrived at (or still sit in) a socket it does not own, such as the server's end of a connection.
/// </summary>
public static class TcpQueues
{
    /// <summary>Bytes received and not yet read by the socket bound to <paramref name="local"/> and connected to <paramref name="remote"/>.</summary>
    public static long Unread(IPEndPoint local, IPEndPoint remote) => Find(ReadTable(), local, remote).Unread;

    /// <summary>Bytes written and not yet acknowledged by the peer, on the socket bound to <paramref name="local"/> and connected to <paramref name="remote"/>.</summary>
    public static long Unsent(IPEndPoint local, IPEndPoint remote) => Find(ReadTable(), local, remote).Unsent;

    /// <summary>
    /// Of <paramref name="sent"/> bytes a loopback client wrote, how many its echoing peer process has read, and how
    /// many of those it holds: read, and not yet written back into the kernel (what sits in neither direction's
    /// socket queues). Both sockets come from one read of /proc/net/tcp, which is exact only while no bytes move:
    /// while they flow, one socket's line may be read before they left it and the other's after they arrived. A byte
    /// already in the receiver's queue but not yet acknowledged to the sender is counted twice (the figures fall short).
    /// </summary>
    public static (long Read, long Held) ReadAndHeldByPeer(Socket client, long sent)
    {
        var local = (IPEndPoint)client.LocalEndPoint!;
        var remote = (IPEndPoint)client.RemoteEndPoint!;
        string[] lines = ReadTable();
        (long clientUnsent, long clientUnread) = Find(lines, local, remote);
        (long peerUnsent, long peerUnread) = Find(lines, remote, local);
        long read = sent - clientUnsent - peerUnread;
        return (read, read - peerUnsent - clientUnread);
    }

    private static string[] ReadTable() => File.ReadAllLines("/proc/net/tcp");

    private static (long Unsent, long Unread) Find(string[] lines, IPEndPoint local, IPEndPoint remote)
    {
        string wantLocal = Address(local), wantRemote = Address(remote);
        foreach (string line in lines.Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue ...
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == wantLocal && fields[2] == wantRemote)
            {
                string[] queues = fields[4].Split(':');
                return (long.Parse(queues[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    long.Parse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        throw new InvalidOperationException($"no TCP socket {local} -> {remote} in /proc/net/tcp; is it an IPv4 connection that is still open?");
    }

    /// <summary>The kernel's spelling: the IPv4 address as a native-endian 32-bit hex word, then the port in hex.</summary>
    private static string Address(IPEndPoint endPoint)
    {
        uint address = BitConverter.ToUInt32(endPoint.Address.MapToIPv4().GetAddressBytes());
        return string.Create(CultureInfo.InvariantCulture, $"{address:X8}:{endPoint.Port:X4}");
    }
}
