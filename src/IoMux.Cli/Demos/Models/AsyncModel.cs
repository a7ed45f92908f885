using System.Net.Sockets;

namespace IoMux.Cli.Demos.Models;

/// <summary>
/// .NET async: Socket.ReceiveAsync per channel, continuations on the thread pool. A completion-style API,
/// but on Linux the runtime implements it with readiness: it tries recvmsg at once and, on EAGAIN, its
/// SocketAsyncEngine thread waits in epoll_wait and the read is retried when the socket becomes readable.
/// (True completion, io_uring, is a separate model.)
/// </summary>
internal static class AsyncModel
{
    public static ModelCounts Read(ChannelSet channels)
    {
        var sockets = new Socket[channels.Count];
        try
        {
            for (int i = 0; i < sockets.Length; i++)
            {
                // The channel keeps ownership of the descriptor; the Socket only borrows it.
                sockets[i] = new Socket(new SafeSocketHandle(channels.Reader(i).DangerousGetHandle(), ownsHandle: false));
            }
            ModelCounts[] results = Task.WhenAll(sockets.Select(ReadToEndAsync)).GetAwaiter().GetResult();
            return new ModelCounts(results.Sum(r => r.Bytes), results.Sum(r => r.Reads), 0, 0, 0);
        }
        finally
        {
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    private static async Task<ModelCounts> ReadToEndAsync(Socket socket)
    {
        var buffer = new byte[4096];
        long bytes = 0, reads = 0;
        int n;
        do
        {
            n = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
            reads++;
            bytes += n;
        }
        while (n > 0);
        return new ModelCounts(bytes, reads, 0, 0, 0);
    }
}
