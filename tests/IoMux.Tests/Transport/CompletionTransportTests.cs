using System.Net;
using System.Net.Sockets;
using IoMux.Transport;
using Xunit.Abstractions;

namespace IoMux.Tests.Transport;

/// <summary>
/// The completion transport (io_uring receives and sends) in-process, over real loopback sockets. Where the kernel
/// refuses the completion model, its tests are skipped with the refusal (see <see cref="CompletionFactAttribute"/>).
/// </summary>
public sealed class CompletionTransportTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TcpServerOptions Completion = new() { IoModel = IoModel.Completion };

    [CompletionFact]
    public void Echo_round_trips_allocate_nothing_on_the_loop_thread_once_warm()
    {
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Echo(), Completion);
        group.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);
        byte[] message = new byte[512];
        new Random(1).NextBytes(message);

        void RoundTrips(int count)
        {
            for (int i = 0; i < count; i++)
            {
                client.Send(message);
                Assert.True(message.AsSpan().SequenceEqual(ReceiveExactly(client, message.Length)), "the echo differs from the message");
            }
        }

        RoundTrips(2000);
        long before = OnLoop(group.Loops[0], GC.GetAllocatedBytesForCurrentThread);
        RoundTrips(2000);
        long after = OnLoop(group.Loops[0], GC.GetAllocatedBytesForCurrentThread);
        Assert.True(after - before == 0, $"2000 echo round trips allocated {after - before} bytes on the loop thread");
    }

    [CompletionFact]
    public void A_client_that_stops_reading_pauses_its_connection_and_reading_again_resumes_it_with_nothing_lost()
    {
        var handler = new Echo();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler,
            new TcpServerOptions { IoModel = IoModel.Completion, WriteHighWatermark = 64 * 1024, WriteLowWatermark = 16 * 1024 });
        group.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);
        byte[] payload = new byte[32 << 20];
        new Random(5).NextBytes(payload);

        // Send without reading, and wait for the pause itself however long it takes here: 32 MiB is far more than
        // the kernel's buffers both ways, so without the pause the queue would grow past the bound.
        var flood = new Flood(client, payload);
        (bool paused, int queued) state = default;
        Assert.True(SpinWait.SpinUntil(() => (state = OnLoop(group.Loops[0], () => (handler.Connection?.IsReadPaused ?? false, handler.Connection?.QueuedBytes ?? 0))).paused, Bound),
            "the connection was never paused with its client not reading");
        output.WriteLine($"paused with {state.queued} bytes queued (high watermark 65536)");
        // Paused means it passed the high mark and has not drained to the low one (sends may have completed since);
        // it passed the high mark by at most the one chunk the receive in flight brought.
        Assert.InRange(state.queued, (16 * 1024) + 1, (64 * 1024) + CompletionQueue.ReceiveBufferSize);
        Assert.True(flood.Sent < payload.Length, "32 MiB went out without the server pushing back");

        // Reading again drains the queue, which resumes reading until the whole payload is back, unchanged.
        byte[] echoed = ReceiveExactly(client, payload.Length);
        Assert.True(flood.Join(Bound), "the rest of the payload never went out after the client read again");
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echoed bytes differ from those sent");
        Assert.True(Volatile.Read(ref handler.WritableCalls) > 0, "OnWritable was never called after the queue drained");
        Assert.False(OnLoop(group.Loops[0], () => handler.Connection!.IsReadPaused));
    }

    [CompletionFact]
    public void Close_after_a_reply_delivers_the_reply_then_a_clean_EOF_even_with_input_still_unread()
    {
        var handler = new ReplyThenClose();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, Completion);
        group.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);
        client.Send(new byte[64 * 1024]);
        client.Send(new byte[64 * 1024]);

        var reply = new List<byte>();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = client.Receive(buffer)) > 0) // a reset instead of EOF throws here
        {
            reply.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        Assert.Equal("bye"u8.ToArray(), reply.ToArray());
        client.Dispose();
        Assert.True(handler.Closed.Wait(Bound), "the connection never closed");
        Assert.Equal(CloseReason.Local, handler.Reason);
    }

    [CompletionFact]
    public void A_peer_reset_closes_the_connection_once_with_reason_Reset()
    {
        var handler = new Echo();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, Completion);
        group.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(server.LocalEndPoint);
        client.Send([1]);
        ReceiveExactly(client, 1);
        client.LingerState = new LingerOption(true, 0);
        client.Close(); // RST
        Assert.True(handler.Closed.Wait(Bound), "the reset connection never closed");
        Assert.Equal(CloseReason.Reset, handler.Reason);
        Assert.True(SpinWait.SpinUntil(() => server.Counters.Open == 0, Bound), "the connection is still counted open");
        Assert.Equal(1, Volatile.Read(ref handler.ClosedCalls));
    }

    [Fact]
    public void The_completion_transport_needs_io_uring_loops_and_level_triggering()
    {
        using (var group = new EventLoopGroup(1, SelectorBackend.Epoll))
        {
            var e = Assert.Throws<NotSupportedException>(() => TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Echo(), Completion));
            Assert.Contains("needs the io_uring backend", e.Message, StringComparison.Ordinal);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
            TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Echo(), new TcpServerOptions { IoModel = IoModel.Completion, Trigger = Trigger.Edge });
        });
    }

    private static byte[] ReceiveExactly(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = socket.Receive(buffer, got, count - got, SocketFlags.None);
            Assert.True(n > 0, "the server closed the connection");
            got += n;
        }
        return buffer;
    }

    private static T OnLoop<T>(EventLoop loop, Func<T> read)
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

    private sealed class Echo : IConnectionHandler
    {
        public int WritableCalls;
        public int ClosedCalls;

        public Connection? Connection { get; private set; }

        public ManualResetEventSlim Closed { get; } = new();

        public CloseReason Reason { get; private set; }

        public void OnConnected(Connection connection) => Connection = connection;

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

        public void OnWritable(Connection connection) => Interlocked.Increment(ref WritableCalls);

        public void OnClosed(Connection connection, CloseReason reason)
        {
            Reason = reason;
            Interlocked.Increment(ref ClosedCalls);
            Closed.Set();
        }
    }

    /// <summary>Answers the first chunk with "bye" and closes, leaving the rest of the input unread.</summary>
    private sealed class ReplyThenClose : IConnectionHandler
    {
        public ManualResetEventSlim Closed { get; } = new();

        public CloseReason Reason { get; private set; }

        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
            connection.Write("bye"u8);
            connection.Close();
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
            Reason = reason;
            Closed.Set();
        }
    }
}
