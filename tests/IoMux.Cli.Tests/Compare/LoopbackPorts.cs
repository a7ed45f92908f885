using System.Net;
using System.Net.Sockets;

namespace IoMux.Cli.Tests.Compare;

/// <summary>Consecutive loopback ports free at the time of asking: a comparison's servers take them in order from the first.</summary>
internal static class LoopbackPorts
{
    public static int FreeRun(int count)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            int port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port + count > 65535)
            {
                continue;
            }
            var more = new List<TcpListener>();
            try
            {
                for (int i = 1; i < count; i++)
                {
                    var next = new TcpListener(IPAddress.Loopback, port + i);
                    more.Add(next);
                    next.Start();
                }
                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                more.ForEach(l => l.Dispose());
            }
        }
        throw new InvalidOperationException($"found no {count} consecutive free loopback ports in 100 tries");
    }
}
