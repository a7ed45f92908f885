using System.Net.Sockets;
using IoMux.Transport;

namespace IoMux.Tests.Transport;

/// <summary>The client side and the waits every transport test needs: a loopback client, exact reads, bounded waits.</summary>
internal static class TransportTestKit
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>A blocking client connected to <paramref name="server"/>; a small <paramref name="receiveBuffer"/> makes a client that reads nothing push back sooner.</summary>
    public static Socket Connect(TcpServer server, int receiveBuffer = 0)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        if (receiveBuffer > 0)
        {
            client.ReceiveBufferSize = receiveBuffer;
        }
        client.Connect(server.LocalEndPoint);
        return client;
    }

    public static byte[] ReceiveExactly(Socket socket, int count)
    {
        byte[] data = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = socket.Receive(data, got, count - got, SocketFlags.None);
            Assert.True(n > 0, $"the server closed the connection after {got} of {count} bytes");
            got += n;
        }
        return data;
    }

    /// <summary>Everything until EOF; a reset ends it too (what arrived before it is kept).</summary>
    public static byte[] ReadToEnd(Socket socket)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return received.ToArray();
    }

    public static void WaitFor(Func<bool> condition, string failure)
    {
        Assert.True(SpinWait.SpinUntil(condition, Bound), failure);
    }

    /// <summary>Reads <paramref name="read"/> on the loop's own thread (connection state belongs to it).</summary>
    public static T OnLoop<T>(EventLoop loop, Func<T> read)
    {
        T value = default!;
        using var done = new ManualResetEventSlim();
        loop.Post(() =>
        {
            value = read();
            done.Set();
        });
        Assert.True(done.Wait(Bound), "the loop did not run a posted action");
        return value;
    }
}
