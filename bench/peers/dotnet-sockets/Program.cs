// What most .NET developers would write first: System.Net.Sockets with async/await, one task per
// connection, Socket.ReceiveAsync then Socket.SendAsync (which sends every byte before it completes).
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync("usage: DotnetSocketsEcho PORT (1..65535)").ConfigureAwait(false);
    return 2;
}

using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(512);
await Console.Error.WriteLineAsync($"dotnet-sockets echo on 127.0.0.1:{port}").ConfigureAwait(false);

while (true)
{
    Socket connection = await listener.AcceptAsync().ConfigureAwait(false);
    connection.NoDelay = true;
    _ = EchoAsync(connection);
}

static async Task EchoAsync(Socket connection)
{
    byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    try
    {
        while (true)
        {
            int n = await connection.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            await connection.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
        }
    }
    catch (SocketException)
    {
        // The peer reset the connection: nothing to echo to.
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
        connection.Dispose();
    }
}
