using System.Net;
using System.Net.Sockets;
using IoMux.Native;
using IoMux.Tests.Selectors.Support;
using IoMux.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// What the connection core decides once for every I/O model — the hard queue limit, the write timeout, close
/// timing inside callbacks, giving everything back on failure and on shutdown — run on every transport mode.
/// Descriptor and native-memory counts are process-wide, so these tests run alone.
/// </summary>
[Collection(NonParallel.Name)]
public sealed class ConnectionCoreTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_handler_that_writes_to_a_peer_that_never_reads_is_stopped_at_the_queue_limit(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        const int limit = 1 << 20;
        var handler = new Broadcaster();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions
        {
            Trigger = trigger, IoModel = model, WriteHighWatermark = 64 * 1024, MaxQueuedBytes = limit,
        });
        group.Start();
        using Socket client = Connect(server, receiveBuffer: 4096);

        Assert.True(handler.Refused.Wait(Bound), "no write was refused although the peer reads nothing");
        Assert.True(handler.Closed.IsSet, "the refused write should have closed the connection");
        Assert.Equal(CloseReason.WriteLimitExceeded, handler.Reason);
        Assert.InRange(handler.MaxQueued, 1, limit);
        Assert.Equal(1, server.Counters.ClosedWith(CloseReason.WriteLimitExceeded));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_peer_that_takes_nothing_for_the_write_timeout_is_closed(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new Broadcaster { WritesPerConnect = 8 << 20 };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions
        {
            Trigger = trigger, IoModel = model, WriteTimeout = TimeSpan.FromMilliseconds(200),
        });
        group.Start();
        using Socket client = Connect(server, receiveBuffer: 4096);

        Assert.True(handler.Closed.Wait(Bound), "a connection whose queue made no progress was never closed");
        Assert.Equal(CloseReason.WriteTimeout, handler.Reason);
        Assert.Equal(1, server.Counters.ClosedWith(CloseReason.WriteTimeout));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void An_abort_inside_OnData_takes_effect_when_OnData_returns(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new AbortInsideData();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket client = Connect(server);
        client.Send([1, 2, 3]);

        Assert.True(handler.Closed.Wait(Bound), "the aborted connection was never closed");
        Assert.Equal(CloseReason.Aborted, handler.Reason);
        Assert.False(handler.ClosedInsideOnData, "OnClosed ran inside the OnData that aborted");
        Assert.False(handler.WriteAfterAbort, "Write after Abort should return false");
        Assert.Empty(ReadToEnd(client));
    }

    [CompletionFact]
    public void A_connection_that_cannot_be_set_up_gives_back_its_slot_and_socket_and_is_counted()
    {
        var logs = new FakeLoggerProvider();
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => new Echo(), new TcpServerOptions
        {
            IoModel = IoModel.Completion, MaxConnections = 1, LoggerFactory = loggers,
        });
        group.Start();
        OnLoop(group.Loops[0], () => group.Loops[0].Completions.TargetLimit = 0);
        int baseline = OpenDescriptors();

        using (Socket refused = Connect(server))
        {
            Assert.Empty(ReadToEnd(refused));
        }
        WaitFor(() => server.Counters.RejectedSetupFailed == 1, "the failed set-up was not counted");
        Assert.Equal(baseline, OpenDescriptors());
        Assert.Equal(0, server.Counters.Open);
        Assert.Equal(0, server.Counters.Accepted);
        Assert.Equal(0, OnLoop(group.Loops[0], () => group.Loops[0].Completions.Attached));
        FakeLogRecord setupFailed = Assert.Single(logs.Collector.GetSnapshot(), record => record.Id.Id == 2);
        Assert.Equal(LogLevel.Error, setupFailed.Level);
        Assert.Contains("could not be set up", setupFailed.Message, StringComparison.Ordinal);
        Assert.Contains("limit", setupFailed.Message, StringComparison.Ordinal);

        // The one slot MaxConnections allows was given back: the next client is served.
        OnLoop(group.Loops[0], () => group.Loops[0].Completions.TargetLimit = 1 << 23);
        using Socket served = Connect(server);
        served.Send([42]);
        Assert.Equal([42], ReceiveExactly(served, 1));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task Stopping_with_sends_in_flight_releases_every_socket_and_native_vector(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        int descriptors = OpenDescriptors();
        long vectors = GatherVector.Live;
        var clients = new List<Socket>();
        using (var group = new EventLoopGroup(1, backend))
        {
            using TcpServer server = TcpServer.Start(group, Loopback, _ => new Echo(), new TcpServerOptions
            {
                Trigger = trigger, IoModel = model, WriteHighWatermark = 256 * 1024,
            });
            group.Start();
            byte[] payload = new byte[1 << 20];
            for (int i = 0; i < 8; i++)
            {
                Socket client = Connect(server, receiveBuffer: 4096);
                clients.Add(client);
                client.Blocking = false;
                int sent = 0;
                while (sent < payload.Length && TrySend(client, payload.AsSpan(sent), out int n))
                {
                    sent += n;
                }
            }
            // Every connection is stuck behind a peer that reads nothing, with output queued (and, on io_uring, a send in flight).
            WaitFor(() => server.Counters.Open == clients.Count, "not every client was accepted");
            await server.StopAsync(TimeSpan.FromMilliseconds(100)).WaitAsync(Bound);
            Assert.Equal(0, server.Counters.Open);
        }
        foreach (Socket client in clients)
        {
            client.Dispose();
        }
        Assert.Equal(descriptors, OpenDescriptors());
        Assert.Equal(vectors, GatherVector.Live);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Disposing_the_loops_before_the_server_closes_every_connection_once(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        int descriptors = OpenDescriptors();
        var handler = new Echo();
        var group = new EventLoopGroup(1, backend);
        TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using (Socket client = Connect(server, receiveBuffer: 4096))
        {
            client.Send(new byte[256 * 1024]);
            WaitFor(() => server.Counters.Accepted == 1, "the client was not accepted");
            group.Dispose();
            server.Dispose();
            Assert.Equal(1, Volatile.Read(ref handler.ClosedCalls));
        }
        Assert.Equal(descriptors, OpenDescriptors());
    }

    [Fact]
    public void A_completion_receive_names_its_buffer_length_which_Linux_5_19_needs()
    {
        IoUringSqe sqe = IoUringRequests.Receive(fd: 7, group: 1, bufferSize: CompletionQueue.ReceiveBufferSize);
        Assert.Equal((uint)CompletionQueue.ReceiveBufferSize, sqe.Length);
        Assert.Equal(IoUringOps.IOSQE_BUFFER_SELECT, sqe.Flags);
    }

    private static IPEndPoint Loopback => new(IPAddress.Loopback, 0);

    private static bool TrySend(Socket socket, ReadOnlySpan<byte> data, out int sent)
    {
        sent = socket.Send(data, SocketFlags.None, out SocketError error);
        return error == SocketError.Success && sent > 0;
    }

    /// <summary>
    /// Sockets and anonymous inodes (eventfd, epoll, io_uring) open in this process: what a connection, a loop or a
    /// ring holds. Files are left out: the runtime keeps an assembly's file open from its first use on.
    /// </summary>
    private static int OpenDescriptors() => IoMux.Testing.OpenDescriptors.Targets().Count(target =>
        target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("anon_inode:", StringComparison.Ordinal));

    private sealed class Echo : IConnectionHandler
    {
        public int ClosedCalls;

        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => Interlocked.Increment(ref ClosedCalls);
    }

    /// <summary>Writes on its own, as a pub-sub fan-out does: 64 KiB every turn from a timer until a write is refused, or a fixed amount at once.</summary>
    private sealed class Broadcaster : IConnectionHandler
    {
        private readonly byte[] _chunk = new byte[64 * 1024];
        private LoopTimer? _timer;

        public int WritesPerConnect { get; init; }

        public ManualResetEventSlim Closed { get; } = new();

        public CloseReason Reason { get; private set; }

        public int MaxQueued { get; private set; }

        public ManualResetEventSlim Refused { get; } = new();

        public void OnConnected(Connection connection)
        {
            if (WritesPerConnect > 0)
            {
                for (int written = 0; written < WritesPerConnect; written += _chunk.Length)
                {
                    connection.Write(_chunk);
                }
                return;
            }
            _timer = connection.Loop.ScheduleRepeating(TimeSpan.FromMilliseconds(1), () =>
            {
                if (!connection.Write(_chunk))
                {
                    _timer!.Cancel();
                    Refused.Set();
                    return;
                }
                MaxQueued = Math.Max(MaxQueued, connection.QueuedBytes);
            });
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
            _timer?.Cancel();
            Reason = reason;
            Closed.Set();
        }
    }

    private sealed class AbortInsideData : IConnectionHandler
    {
        private bool _insideData;

        public ManualResetEventSlim Closed { get; } = new();

        public CloseReason Reason { get; private set; }

        public bool ClosedInsideOnData { get; private set; }

        public bool WriteAfterAbort { get; private set; }

        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
            _insideData = true;
            connection.Abort();
            WriteAfterAbort = connection.Write(data);
            _insideData = false;
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
            ClosedInsideOnData = _insideData;
            Reason = reason;
            Closed.Set();
        }
    }
}
