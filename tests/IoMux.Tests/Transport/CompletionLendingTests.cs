using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// The completion model sends echoed bytes from the receive buffer they arrived in (lent to the write queue, back to
/// the ring once sent) and keeps back-pressure bounded: peers that do not read hold a bounded number of the loop's
/// shared buffers, and the ring is never drained for the connections that do read.
/// </summary>
public sealed class CompletionLendingTests
{
    private const int HighWatermark = 256 * 1024;
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    [CompletionFact]
    public void An_echo_is_sent_from_the_receive_buffers_and_every_one_goes_back_to_the_ring()
    {
        var handler = new Echo();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        CompletionQueue completions = group.Loops[0].Completions;
        byte[] payload = HalfCloseTests.Pattern(4 << 20);

        using (Socket client = Connect(server))
        {
            var sender = Task.Run(() => client.Send(payload));
            Assert.Equal(payload, ReceiveExactly(client, payload.Length));
            Assert.True(sender.Wait(Bound), "the client's send did not finish");
        }

        Assert.True(OnLoop(group.Loops[0], () => completions.LendCount) > 0, "no receive buffer was lent: every echoed byte was copied");
        WaitFor(() => OnLoop(group.Loops[0], () => completions.LentBuffers) == 0, "lent receive buffers did not all go back to the ring");
    }

    [CompletionFact]
    public void Peers_that_do_not_read_hold_a_bounded_share_of_the_receive_buffers_and_others_are_still_served()
    {
        // More stalled connections than the loop may lend buffers to at MaxLentPerConnection each.
        const int Stalled = (CompletionQueue.MaxLentBuffers / CompletionDriver.MaxLentPerConnection) + 8;
        var handler = new Echo();
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { IoModel = IoModel.Completion, WriteHighWatermark = HighWatermark });
        group.Start();
        EventLoop loop = group.Loops[0];
        CompletionQueue completions = loop.Completions;
        var clients = new List<Socket>();
        var senders = new List<Thread>();
        try
        {
            byte[] chunk = HalfCloseTests.Pattern(64 * 1024);
            for (int i = 0; i < Stalled; i++)
            {
                Socket client = Connect(server, receiveBuffer: 4096);
                clients.Add(client);
                var sender = new Thread(() => SendUntilClosed(client, chunk)) { IsBackground = true };
                sender.Start();
                senders.Add(sender);
            }
            WaitFor(() => OnLoop(loop, () => handler.Connections.Count(c => c.IsReadPaused)) == Stalled, "the non-reading peers' connections never all paused reading");

            (int lent, int queued, int mostOnOne) = OnLoop(loop, () => (
                completions.LentBuffers,
                handler.Connections.Sum(c => c.Queue.LentCount),
                handler.Connections.Max(c => c.Queue.LentCount)));
            Assert.InRange(lent, 1, CompletionQueue.MaxLentBuffers);
            Assert.Equal(queued, lent); // every lent buffer is in some queue: none lost
            Assert.InRange(mostOnOne, 0, CompletionDriver.MaxLentPerConnection);

            using (Socket reader = Connect(server))
            {
                byte[] payload = HalfCloseTests.Pattern(1 << 20);
                var sender = Task.Run(() => reader.Send(payload));
                Assert.Equal(payload, ReceiveExactly(reader, payload.Length));
                Assert.True(sender.Wait(Bound), "the reading client's send did not finish");
            }
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
            foreach (Thread sender in senders)
            {
                Assert.True(sender.Join(Bound), "a stalled sender did not end when its socket closed");
            }
        }
        WaitFor(() => OnLoop(loop, () => completions.LentBuffers) == 0, "the closed connections' lent buffers did not go back to the ring");
    }

    private static void SendUntilClosed(Socket client, byte[] chunk)
    {
        try
        {
            while (true)
            {
                client.Send(chunk);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Writes back the span it was handed: what lets the completion model lend the receive buffer.</summary>
    private sealed class Echo : IConnectionHandler
    {
        public List<Connection> Connections { get; } = [];

        public void OnConnected(Connection connection) => Connections.Add(connection);

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => Connections.Remove(connection);
    }
}
