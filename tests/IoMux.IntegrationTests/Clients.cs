using System.Net;
using System.Net.Sockets;

namespace IoMux.IntegrationTests;

/// <summary>Real TCP clients for the echo server. Every operation takes a token; <see cref="Bounded"/> turns a timeout into a clear failure.</summary>
internal static class Clients
{
    /// <summary>Runs <paramref name="body"/>, failing with <paramref name="what"/> if it is still running after <paramref name="bound"/>.</summary>
    public static async Task Bounded(Func<CancellationToken, Task> body, TimeSpan bound, string what)
    {
        using var cts = new CancellationTokenSource(bound);
        try
        {
            await body(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{what} did not finish within {bound.TotalSeconds} s");
        }
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="payload"/> while reading the echo concurrently (a large message would otherwise deadlock on backpressure).</summary>
    public static async Task<byte[]> RoundTripAsync(Socket socket, byte[] payload, CancellationToken ct)
    {
        Task send = SendAllAsync(socket, payload, ct);
        byte[] echoed = await ReceiveExactlyAsync(socket, payload.Length, ct);
        await send;
        return echoed;
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            int n = await socket.SendAsync(data, SocketFlags.None, ct);
            data = data[n..];
        }
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken ct)
    {
        byte[] buffer = new byte[count];
        int received = 0;
        while (received < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, ct);
            if (n == 0)
            {
                throw new EndOfStreamException($"EOF after {received} of {count} bytes");
            }
            received += n;
        }
        return buffer;
    }

    /// <summary>Everything until EOF.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket, CancellationToken ct)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                return all.ToArray();
            }
            all.Write(buffer, 0, n);
        }
    }

    /// <summary>True when the server has closed the connection: EOF or a reset on the next read.</summary>
    public static async Task<bool> IsClosedByServerAsync(Socket socket, CancellationToken ct)
    {
        try
        {
            byte[] one = new byte[1];
            return await socket.ReceiveAsync(one, SocketFlags.None, ct) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return true;
        }
    }

    /// <summary>
    /// Each socket sends 64 KiB chunks (blocking, 2 s send timeout) until <paramref name="attempt"/> bytes or a send that
    /// makes no progress for 2 s — the peer stopped reading; <paramref name="sent"/> gets each socket's count.
    /// </summary>
    public static Task SendUntilStalledAsync(IReadOnlyList<Socket> sockets, long[] sent, long attempt, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, sockets.Count).Select(i => Task.Run(() =>
        {
            Socket socket = sockets[i];
            socket.SendTimeout = 2000;
            byte[] chunk = Pattern(64 * 1024, i);
            try
            {
                while (sent[i] < attempt)
                {
                    sent[i] += socket.Send(chunk);
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
            }
        }, ct)));

    /// <summary>Closes with SO_LINGER 0: the server sees a reset (RST), not an orderly EOF.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    /// <summary>Reproducible random bytes.</summary>
    public static byte[] Pattern(int size, int seed)
    {
        byte[] data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static void AssertSame(byte[] expected, byte[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} bytes came back, {expected.Length} were sent");
        int mismatch = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(mismatch == expected.Length, $"{what}: first difference at byte {mismatch}");
    }
}
