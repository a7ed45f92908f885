using System.Net;
using System.Net.Sockets;

namespace IoMux.Cli.Compare;

/// <summary>
/// Resident memory a server spends per idle connection: RSS before, open N connections that each
/// complete one echo (so the server has really set them up), RSS after, divided by N. A server that cannot
/// hold N connections fails with an <see cref="InvalidOperationException"/> naming where it stopped.
/// </summary>
internal static class IdleMemoryProbe
{
    public static double BytesPerConnection(ServerProcess server, int connections)
    {
        var sockets = new List<Socket>(connections);
        try
        {
            Thread.Sleep(200);
            long before = server.Usage().ResidentBytes;
            var endpoint = new IPEndPoint(IPAddress.Loopback, server.Port);
            byte[] ping = [42];
            byte[] pong = new byte[1];
            for (int i = 0; i < connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                sockets.Add(socket);
                try
                {
                    socket.Connect(endpoint);
                    socket.Send(ping);
                    if (socket.Receive(pong) != 1 || pong[0] != ping[0])
                    {
                        throw new InvalidOperationException($"{server.Spec.Name} did not echo on idle connection {i + 1}");
                    }
                }
                catch (SocketException e)
                {
                    // A server with a descriptor ceiling (select's 1024) closes what it cannot watch: say where it stopped.
                    throw new InvalidOperationException($"{server.Spec.Name} dropped idle connection {i + 1} of {connections} ({e.SocketErrorCode})", e);
                }
            }
            Thread.Sleep(500);
            long after = server.Usage().ResidentBytes;
            return Math.Max(0, after - before) / (double)connections;
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
