using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.BothEnds.ConnectTestKit;
using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// The connector used from inside a handler on its own loop — what a proxy does: each accepted client connects
/// upstream in <see cref="IConnectionHandler.OnConnected"/> with the callback form, on the same loop, and bytes flow
/// both ways; an upstream that refuses closes its client. Every transport mode.
/// </summary>
public sealed class RelayTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_handler_connects_upstream_from_OnConnected_and_relays_both_ways(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var upstreamGroup = new EventLoopGroup(1, backend);
        using TcpServer upstream = TcpServer.Start(upstreamGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack());
        upstreamGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        using TcpServer relay = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Downstream(connector, upstream.LocalEndPoint), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();

        for (int i = 0; i < 3; i++)
        {
            using Socket client = Connect(relay);
            byte[] message = new byte[50_000];
            new Random(i).NextBytes(message);
            var sender = new Thread(() => client.Send(message));
            sender.Start();
            Assert.Equal(message, ReceiveExactly(client, message.Length));
            Assert.True(sender.Join(Bound), "the client's send did not finish");
        }
        WaitFor(() => relay.Counters.Open == 0 && connector.OpenConnections == 0, "closed clients left their relay or upstream connections open");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void An_upstream_that_refuses_closes_its_client(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using Socket refusing = BoundNotListening();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        using TcpServer relay = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Downstream(connector, refusing.LocalEndPoint!), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();

        using (Socket client = Connect(relay))
        {
            Assert.Empty(ReadToEnd(client));
        }
        WaitFor(() => relay.Counters.ClosedWith(CloseReason.Local) == 1, "the client was not closed after its upstream refused");
    }

    /// <summary>A relay's client side: connects upstream when the client arrives, buffers nothing (a test relay: no flow control).</summary>
    private sealed class Downstream(Connector connector, EndPoint upstream) : IConnectionHandler
    {
        private Upstream? _upstream;

        public void OnConnected(Connection connection)
        {
            _upstream = new Upstream(connection);
            connector.Connect(upstream, _upstream);
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => _upstream!.Send(data);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => _upstream!.ClientGone();
    }

    private sealed class Upstream(Connection client) : IConnectHandler
    {
        private Connection? _server;
        private byte[] _early = [];
        private bool _clientGone;

        public void Send(ReadOnlySpan<byte> data)
        {
            if (_server is null)
            {
                _early = [.. _early, .. data];
                return;
            }
            _server.Write(data);
        }

        public void ClientGone()
        {
            _clientGone = true;
            _server?.Close();
        }

        public void OnConnected(Connection connection)
        {
            _server = connection;
            if (_clientGone)
            {
                connection.Close();
                return;
            }
            connection.Write(_early);
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => client.Write(data);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason) => client.Close();

        public void OnConnectFailed(ConnectException exception) => client.Close();
    }
}
