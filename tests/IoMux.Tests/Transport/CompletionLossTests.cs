using System.Net;
using System.Net.Sockets;
using IoMux.Native;
using IoMux.Transport;

namespace IoMux.Tests.Transport;

/// <summary>
/// When the kernel drops completions (EBADR: its overflow list could not grow), the connections whose receive or
/// send completion was lost must not wait forever. EBADR itself cannot be provoked, so the test leaves the ring as
/// a drop does — a completion posted, then consumed unread — and runs the selector's recovery.
/// </summary>
public sealed class CompletionLossTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [CompletionFact]
    public void A_connection_whose_receive_completion_was_dropped_is_closed_instead_of_waiting_forever()
    {
        var handler = new Recorder();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        EventLoop loop = group.Loops[0];
        var selector = (IoUringSelector)loop.Selector;
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, new TcpServerOptions { IoModel = IoModel.Completion });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        client.Connect(server.LocalEndPoint);
        // The loop runs on this thread, turn by turn, so the ring can be handled between turns; completions are
        // dispatched inside a wait without ending it, so a short timer bounds each turn.
        loop.ScheduleRepeating(TimeSpan.FromMilliseconds(5), () => { });
        TurnUntil(loop, () => handler.Connection is not null, "the connection was never accepted");
        loop.RunOnce(); // the receive goes to the kernel

        client.Send([7]);
        IoUringRing ring = selector.Ring;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ring.CqTail == ring.CqHead)
        {
            Assert.True(clock.Elapsed < Bound, "the receive never completed");
            ring.Submit(); // runs the kernel's pending completion work
        }
        Assert.NotEqual(0UL, ring.Cqe(ring.CqHead).UserData & IoUringSelector.CompletionTag);
        ring.ConsumeTo(ring.CqTail); // dropped: its target never hears of it
        selector.RecoverDroppedCompletions();

        TurnUntil(loop, () => handler.Reason is not null, "the connection whose completion was lost was never closed");
        Assert.Equal(CloseReason.Error, handler.Reason);
        Assert.Equal(Errno.ECANCELED, handler.Connection!.Error);
        TurnUntil(loop, () => server.Counters.Open == 0, "the connection's socket was never released");
        Assert.Equal(0, client.Receive(new byte[1]));
    }

    private static void TurnUntil(EventLoop loop, Func<bool> condition, string failure)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Bound, failure);
            loop.RunOnce();
        }
    }

    private sealed class Recorder : IConnectionHandler
    {
        public Connection? Connection { get; private set; }

        public CloseReason? Reason { get; private set; }

        public void OnConnected(Connection connection) => Connection = connection;

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => Reason = reason;
    }
}
