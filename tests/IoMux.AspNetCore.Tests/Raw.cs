using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IoMux.AspNetCore.Tests;

/// <summary>Plain loopback sockets speaking HTTP/1.1 by hand, for what HttpClient will not do: stop half-way, reset, hold a connection.</summary>
public static class Raw
{
    public static async Task<Socket> ConnectAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        return socket;
    }

    public static Task<int> SendAsync(Socket socket, string text) => socket.SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Reads until <paramref name="marker"/> has arrived, or the server ended the connection (0 bytes, or a reset): what came, either way.</summary>
    public static async Task<string> ReadUntilAsync(Socket socket, string marker)
    {
        var received = new StringBuilder();
        byte[] buffer = new byte[16 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!received.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException)
            {
                break;
            }
            if (read == 0)
            {
                break;
            }
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return received.ToString();
    }

    /// <summary>Closes with RST: linger on with a zero timeout.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }
}
