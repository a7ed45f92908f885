using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// Completions are handled inside the loop's wait. What their callbacks ask of the loop — a timer, a re-queue —
/// must not wait for the wait's own timeout (which may be none at all): the wait ends once it has dispatched them.
/// </summary>
public sealed class CompletionTurnTests
{
    [CompletionFact]
    public void A_timer_a_completion_callback_schedules_fires_though_nothing_else_wakes_the_loop()
    {
        var handler = new CloseLater();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        using Socket client = Connect(server);

        // The byte's receive completes inside the wait, and OnData schedules the close there; no other timer is
        // pending and the client sends nothing more, so only the wait ending after its completions lets it fire.
        client.Send([1]);

        Assert.True(handler.Closed.Wait(Bound), "the timer scheduled from a completion callback never fired");
        Assert.Empty(ReadToEnd(client));
    }

    [CompletionFact]
    public void A_connect_that_fails_at_once_inside_a_completion_callback_is_reported()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { IoModel = IoModel.Completion, ConnectTimeout = null, LocalEndPoint = taken.LocalEndPoint });
        var upstream = new BothEnds.ConnectRecorder();
        var handler = new ConnectOnData(connector, taken.LocalEndPoint!, upstream);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        using Socket client = Connect(server);

        // OnData runs inside the wait; binding the busy local address fails at once, and that outcome is re-queued
        // for the loop's next turn, which only comes if the wait ends after dispatching the receive.
        client.Send([1]);

        Assert.True(upstream.Failed.Wait(Bound), "a connect that failed at once inside a completion callback was never reported");
        Assert.Equal(ConnectError.AddressInUse, upstream.Failure!.Error);
    }

    private sealed class CloseLater : IConnectionHandler
    {
        public ManualResetEventSlim Closed { get; } = new();

        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Loop.Schedule(TimeSpan.FromMilliseconds(10), connection.Abort);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => Closed.Set();
    }

    private sealed class ConnectOnData(Connector connector, EndPoint target, IConnectHandler upstream) : IConnectionHandler
    {
        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connector.Connect(target, upstream);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }
}
