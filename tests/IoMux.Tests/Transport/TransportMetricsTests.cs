using System.Net;
using System.Net.Sockets;
using IoMux.Tests.Selectors.Support;
using IoMux.Transport;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// The IoMux meter seen from a listener (MetricCollector is a MeterListener), on every transport mode. The
/// instruments are process-wide, so these tests run alone.
/// </summary>
[Collection(NonParallel.Name)]
public sealed class TransportMetricsTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_connection_is_measured_from_open_to_close_and_a_rejected_one_is_counted_by_reason(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var opened = new MetricCollector<long>(IoMuxMetrics.ConnectionsOpened);
        using var closed = new MetricCollector<long>(IoMuxMetrics.ConnectionsClosed);
        using var active = new MetricCollector<long>(IoMuxMetrics.ActiveConnections);
        using var duration = new MetricCollector<double>(IoMuxMetrics.ConnectionDuration);
        using var io = new MetricCollector<long>(IoMuxMetrics.NetworkIo);
        using var rejected = new MetricCollector<long>(IoMuxMetrics.ConnectionsRejected);
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Echo(),
            new TcpServerOptions { Trigger = trigger, IoModel = model, MaxConnections = 1 });
        group.Start();

        using (Socket client = Connect(server))
        {
            client.Send(new byte[100]);
            Assert.Equal(100, ReceiveExactly(client, 100).Length);
            using Socket refused = Connect(server);
            Assert.Equal(0, refused.Receive(new byte[1]));
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, client.Receive(new byte[1]));
        }
        // The loop thread records the close's count, the active gauge and then the duration: wait for the last of them.
        WaitFor(() => duration.GetMeasurementSnapshot().Count == 1, "the close was not measured");

        Assert.Equal(1, opened.GetMeasurementSnapshot().EvaluateAsCounter());
        CollectedMeasurement<long> close = Assert.Single(closed.GetMeasurementSnapshot());
        Assert.Equal("PeerClosed", close.Tags["iomux.close_reason"]);
        Assert.Equal(0, active.GetMeasurementSnapshot().EvaluateAsCounter());
        CollectedMeasurement<double> lived = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(lived.Value > 0, $"a connection that lived {lived.Value} s");
        Assert.Equal("PeerClosed", lived.Tags["iomux.close_reason"]);
        Assert.Equal(100, io.GetMeasurementSnapshot().Where(m => (string?)m.Tags["network.io.direction"] == "receive").Sum(m => m.Value));
        Assert.Equal(100, io.GetMeasurementSnapshot().Where(m => (string?)m.Tags["network.io.direction"] == "transmit").Sum(m => m.Value));
        CollectedMeasurement<long> reject = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal("OverConnectionLimit", reject.Tags["iomux.reject_reason"]);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_client_that_does_not_read_counts_each_read_pause_once(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var pauses = new MetricCollector<long>(IoMuxMetrics.ReadPauses);
        var handler = new PauseWatchingEcho(pauses);
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler,
            new TcpServerOptions { Trigger = trigger, IoModel = model, WriteHighWatermark = 64 * 1024 });
        group.Start();
        using Socket client = Connect(server);
        client.ReceiveBufferSize = 4096;
        client.Blocking = false;
        byte[] chunk = new byte[64 * 1024];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (handler.Observed.IsEmpty)
        {
            Assert.True(clock.Elapsed < Bound, "the server never paused reading although its client reads nothing");
            client.Send(chunk, SocketFlags.None, out SocketError _);
            Thread.Sleep(1);
        }
        // The kernel's send buffer grows while the test runs, so the server may drain, resume and pause again:
        // the count is checked on the loop thread at each pause, where nothing can move it in between.
        foreach ((int seen, long counted) in handler.Observed)
        {
            Assert.Equal(seen, counted);
        }
        Assert.All(pauses.GetMeasurementSnapshot(), m => Assert.Equal(1, m.Value));
    }

    /// <summary>An echo that notes, at each write that paused its reading, how many pauses it saw and how many the meter had counted.</summary>
    private sealed class PauseWatchingEcho(MetricCollector<long> pauses) : IConnectionHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<(int Seen, long Counted)> Observed { get; } = new();

        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
            bool wasPaused = connection.IsReadPaused;
            connection.Write(data);
            if (!wasPaused && connection.IsReadPaused)
            {
                Observed.Enqueue((Observed.Count + 1, pauses.GetMeasurementSnapshot().EvaluateAsCounter()));
            }
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }

    private sealed class Echo : IConnectionHandler
    {
        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }
}
