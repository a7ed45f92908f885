using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// A completion loop's ring is entered by whichever thread closes it: the loop thread while it runs, any thread once
/// it has stopped. A ring bound to the thread that first entered it (IORING_SETUP_SINGLE_ISSUER) refuses every
/// other thread's enter, so this is what such a setup must still get right: closing from elsewhere cancels what is
/// in flight, releases each connection's socket, and takes nothing down.
/// </summary>
public sealed class CompletionCloseThreadTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    [CompletionFact]
    public void A_running_completion_loop_disposed_from_another_thread_closes_its_connections()
    {
        var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        TcpServer server = TcpServer.Start(group, Loopback, _ => new Echo(), new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        using Socket client = Connect(server);
        client.Send([1, 2, 3]);
        Assert.Equal([1, 2, 3], ReceiveExactly(client, 3)); // the loop has entered its ring, and a receive is in flight

        Exception? failure = null;
        var closer = new Thread(() =>
        {
            try
            {
                server.Dispose();
                group.Dispose();
            }
#pragma warning disable CA1031 // whatever the close throws is the test's finding
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "closer" };
        closer.Start();

        Assert.True(closer.Join(Bound), "disposing the completion loop from another thread did not return");
        Assert.Null(failure);
        Assert.Null(group.Fault);
        Assert.Empty(ReadToEnd(client)); // the connection's socket was closed, not left to the kernel's ring teardown
    }

    [CompletionFact]
    public void A_completion_loop_stopped_on_its_thread_and_disposed_from_another_closes_its_connections()
    {
        var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        TcpServer server = TcpServer.Start(group, Loopback, _ => new Echo(), new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        using Socket client = Connect(server);
        client.Send([7]);
        Assert.Equal([7], ReceiveExactly(client, 1));

        // The loop thread has left Run; this thread, which never entered the ring, is the one that closes it.
        group.Stop();
        Assert.True(group.Join(Bound), "the loop did not stop");
        server.Dispose();
        group.Dispose();

        Assert.Null(group.Fault);
        Assert.Empty(ReadToEnd(client));
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
