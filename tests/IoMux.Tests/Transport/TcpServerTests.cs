using System.Net;
using System.Net.Sockets;
using IoMux.Tests.Selectors;
using IoMux.Tests.Selectors.Support;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// The transport in-process, over real loopback sockets, on every transport mode (readiness on each backend and
/// trigger, completion on io_uring): allocation-free steady state, backpressure, close after a reply, reset.
/// </summary>
public sealed class TcpServerTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Echo_round_trips_allocate_nothing_on_the_loop_thread_once_warm(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoHandler(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);
        byte[] message = new byte[512];
        byte[] echoed = new byte[512];

        void RoundTrips(int count)
        {
            for (int i = 0; i < count; i++)
            {
                client.Send(message);
                for (int got = 0; got < echoed.Length;)
                {
                    int n = client.Receive(echoed, got, echoed.Length - got, SocketFlags.None);
                    Assert.True(n > 0, "the server closed the connection");
                    got += n;
                }
            }
        }

        RoundTrips(2000); // JIT and tiering settle

        long bytes = Allocations.InACleanRound(() =>
        {
            long before = LoopAllocations.Read(group.Loops[0]);
            RoundTrips(2000);
            return LoopAllocations.Read(group.Loops[0]) - before;
        });
        Assert.True(bytes == 0, $"2000 echo round trips allocated {bytes} bytes on the loop thread");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_client_that_stops_reading_pauses_its_connection_and_reading_again_resumes_it_with_nothing_lost(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new EchoHandler();
        var options = new TcpServerOptions { Trigger = trigger, IoModel = model, WriteHighWatermark = 64 * 1024, WriteLowWatermark = 16 * 1024 };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, options);
        group.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);
        byte[] payload = new byte[32 << 20];
        new Random(5).NextBytes(payload);

        // Send without reading. The server must pause reading this client with its queue bounded, however long
        // that takes here; 32 MiB is far more than the kernel's buffers both ways, so without the pause the queue
        // would grow past the bound (and with no pause at all, the wait below fails).
        var flood = new Flood(client, payload);
        (bool paused, int queued) state = default;
        Assert.True(SpinWait.SpinUntil(() => (state = OnLoop(group.Loops[0], () => (handler.Connection?.IsReadPaused ?? false, handler.Connection?.QueuedBytes ?? 0))).paused, Bound),
            "the connection was never paused with its client not reading");
        // Paused means it passed the high mark and has not drained to the low one (sends may have completed since);
        // it passed the high mark by at most one read (readiness) or the one chunk the receive in flight brought (completion).
        int overshoot = model == IoModel.Completion ? CompletionQueue.ReceiveBufferSize : options.ReadBufferSize;
        Assert.InRange(state.queued, (16 * 1024) + 1, (64 * 1024) + overshoot);
        Assert.True(flood.Sent < payload.Length, "32 MiB went out without the server pushing back");

        // Reading again drains the queue, which resumes reading until the whole payload is back, unchanged.
        byte[] echoed = ReceiveExactly(client, payload.Length);
        Assert.True(flood.Join(Bound), "the rest of the payload never went out after the client read again");
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echoed bytes differ from those sent");
        Assert.True(Volatile.Read(ref handler.WritableCalls) > 0, "OnWritable was never called after the queue drained");
        Assert.False(OnLoop(group.Loops[0], () => handler.Connection!.IsReadPaused));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_connection_with_much_to_read_yields_at_its_budget_so_another_is_served_in_the_same_turn(SelectorBackend backend, Trigger trigger)
    {
        const int Budget = 16 * 1024;
        const int Buffer = 4 * 1024;
        var handler = new RecordingHandler();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler,
            new TcpServerOptions { Trigger = trigger, ReadBudgetPerTurn = Budget, ReadBufferSize = Buffer });
        group.Start();
        using var busy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        using var quiet = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        busy.Connect(server.LocalEndPoint);
        quiet.Connect(server.LocalEndPoint);
        Assert.True(SpinWait.SpinUntil(() => OnLoop(group.Loops[0], () => handler.Connections.Count) == 2, Bound), "the server did not accept both clients");
        long busyId = OnLoop(group.Loops[0], () => handler.Connections[0]); // accepted in connect order

        // Hold the loop while the busy client's bytes pile up in the kernel, then the quiet client's one byte.
        using var gate = new ManualResetEventSlim();
        using var held = new ManualResetEventSlim();
        group.Loops[0].Post(() =>
        {
            held.Set();
            gate.Wait(Bound);
        });
        Assert.True(held.Wait(Bound), "the loop did not run the posted gate");
        // Open the gate only once the kernel holds, at the server's ends, more of the busy client's bytes than one
        // turn's budget and read allow, and the quiet client's byte: a connection that ignored its budget would
        // then read past it before the quiet one is served.
        byte[] flood = new byte[256 * 1024];
        var sender = new Thread(() => busy.Send(flood));
        sender.Start();
        var busyAtServer = (IPEndPoint)busy.RemoteEndPoint!;
        Assert.True(SpinWait.SpinUntil(() => TcpQueues.Unread(busyAtServer, (IPEndPoint)busy.LocalEndPoint!) > 2 * (Budget + Buffer), Bound),
            "the busy client's bytes never piled up at the server");
        quiet.Send([42]);
        Assert.True(SpinWait.SpinUntil(() => TcpQueues.Unread((IPEndPoint)quiet.RemoteEndPoint!, (IPEndPoint)quiet.LocalEndPoint!) == 1, Bound),
            "the quiet client's byte never reached the server");
        gate.Set();

        Assert.Equal(42, ReceiveExactly(quiet, 1)[0]);
        ReceiveExactly(busy, flood.Length);
        Assert.True(sender.Join(Bound), "the busy client's send did not finish");
        int busyBytesBeforeQuiet = OnLoop(group.Loops[0], () => handler.BusyBytesBefore(busyId));
        Assert.True(busyBytesBeforeQuiet <= Budget + Buffer,
            $"the busy connection read {busyBytesBeforeQuiet} bytes before the quiet one was served; its budget is {Budget}");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Close_after_a_reply_delivers_the_reply_then_a_clean_EOF_even_with_input_still_unread(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ReplyThenCloseHandler();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);

        // "quit" and, in the same breath, more input the server will never hand to its handler.
        byte[] request = new byte[64 * 1024];
        "quit"u8.CopyTo(request);
        client.Send(request);
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

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_peer_reset_closes_the_connection_once_with_reason_Reset(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new EchoHandler();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
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

    /// <summary>Echoes, and records which connection each chunk came from, in order.</summary>
    private sealed class RecordingHandler : IConnectionHandler
    {
        private readonly List<(long Id, int Bytes)> _chunks = [];

        public List<long> Connections { get; } = [];

        public void OnConnected(Connection connection) => Connections.Add(connection.Id);

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
            _chunks.Add((connection.Id, data.Length));
            connection.Write(data);
        }

        /// <summary>Bytes the busy connection delivered before the other connection's first chunk.</summary>
        public int BusyBytesBefore(long busyId) => _chunks.TakeWhile(c => c.Id == busyId).Sum(c => c.Bytes);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }

    /// <summary>Answers the first chunk with "bye" and closes.</summary>
    private sealed class ReplyThenCloseHandler : IConnectionHandler
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

    private sealed class EchoHandler : IConnectionHandler
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
}
