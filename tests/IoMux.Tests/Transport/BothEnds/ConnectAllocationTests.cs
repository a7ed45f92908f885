using System.Net;
using System.Net.Sockets;
using IoMux.Tests.Selectors.Support;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// The callback form of connect allocates nothing of its own: a round of connects costs its loop no more than the
/// same number of accepted connections cost a server's loop — the connection itself — on every transport mode.
/// </summary>
public sealed class ConnectAllocationTests
{
    private const int PerRound = 32;

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_round_of_connects_allocates_no_more_on_its_loop_than_as_many_accepts(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var serverSide = new AbortAtOnce();
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => serverSide, new TcpServerOptions { Trigger = trigger, IoModel = model });
        serverGroup.Start();
        var clientSide = new AbortAtOnce();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();
        EndPoint target = server.LocalEndPoint;

        // What the server accepted: handed to its handler, or dropped because the peer reset it before it was set up.
        long ServerTook() => server.Counters.Accepted + server.Counters.RejectedSetupFailed;

        long ConnectRound(int count)
        {
            long before = LoopAllocations.Read(group.Loops[0]);
            int closed = Volatile.Read(ref clientSide.Closed);
            long serverTook = ServerTook();
            group.Loops[0].Post(() =>
            {
                for (int i = 0; i < count; i++)
                {
                    connector.Connect(target, clientSide);
                }
            });
            WaitFor(() => Volatile.Read(ref clientSide.Closed) - closed == count && connector.OpenConnections == 0, "a round of connects did not finish");
            Assert.Equal(0, Volatile.Read(ref clientSide.Failed));
            long bytes = LoopAllocations.Read(group.Loops[0]) - before;
            // The server accepts these connections too, and may still be closing them when the client side is done:
            // an accept round that began then would count them as its own (its close count overshoots and never
            // matches) and measure their allocations. Wait until the server is through with them.
            WaitFor(() => ServerTook() - serverTook == count && server.Counters.Open == 0, "the server did not close a round of connects");
            return bytes;
        }

        long AcceptRound()
        {
            long before = LoopAllocations.Read(serverGroup.Loops[0]);
            int closed = Volatile.Read(ref serverSide.Closed);
            var clients = new Socket[PerRound];
            for (int i = 0; i < PerRound; i++)
            {
                clients[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients[i].Connect(target);
            }
            WaitFor(() => Volatile.Read(ref serverSide.Closed) - closed == PerRound && server.Counters.Open == 0, "a round of accepts did not finish");
            long bytes = LoopAllocations.Read(serverGroup.Loops[0]) - before;
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
            return bytes;
        }

        // Warm: JIT, and the pools (connect state, selector keys, completion slots) grown to two rounds' size: a round
        // ends when its connections closed, and on a busy machine the next can start before the last of their pooled
        // state (a completion slot waits for its requests' last completions) is back, so two rounds may overlap.
        ConnectRound(2 * PerRound);
        for (int i = 0; i < 3; i++)
        {
            ConnectRound(PerRound);
            AcceptRound();
        }
        long accepting = Allocations.InACleanRound(AcceptRound);
        long connecting = Allocations.InACleanRound(() => Math.Max(0, ConnectRound(PerRound) - accepting));

        Assert.True(connecting == 0, $"{PerRound} connects allocated {connecting} bytes on their loop beyond the {accepting} that {PerRound} accepted connections cost a server's loop");
    }

    /// <summary>Aborts each connection as soon as it opens, and counts.</summary>
    private sealed class AbortAtOnce : IConnectHandler
    {
        public int Closed;
        public int Failed;

        public void OnConnected(Connection connection) => connection.Abort();

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => Interlocked.Increment(ref Closed);

        public void OnConnectFailed(ConnectException exception) => Interlocked.Increment(ref Failed);
    }
}
