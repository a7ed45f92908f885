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
    public void A_client_that_does_not_read_counts_a_read_pause(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var pauses = new MetricCollector<long>(IoMuxMetrics.ReadPauses);
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Echo(),
            new TcpServerOptions { Trigger = trigger, IoModel = model, WriteHighWatermark = 64 * 1024 });
        group.Start();
        using Socket client = Connect(server);
        client.ReceiveBufferSize = 4096;
        client.Blocking = false;
        byte[] chunk = new byte[64 * 1024];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (pauses.GetMeasurementSnapshot().Count == 0)
        {
            Assert.True(clock.Elapsed < Bound, "the server never paused reading although its client reads nothing");
            client.Send(chunk, SocketFlags.None, out SocketError _);
            Thread.Sleep(1);
        }
        Assert.Equal(1, pauses.GetMeasurementSnapshot().EvaluateAsCounter());
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
