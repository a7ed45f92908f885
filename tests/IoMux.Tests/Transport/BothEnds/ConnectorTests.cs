using System.Net;
using System.Net.Sockets;
using IoMux.Native;
using IoMux.Transport;

using static IoMux.Tests.Transport.BothEnds.ConnectTestKit;
using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// Outbound connects on every transport mode, against real loopback listeners: success on both forms, and each
/// failure as its own <see cref="ConnectError"/> — refused, timed out (a listener whose accept queue is full drops
/// the SYN), a name that does not resolve (through a resolver that fails: no DNS query leaves this machine),
/// a local address in use, cancelled.
/// </summary>
public sealed class ConnectorTests
{
    private static readonly byte[] Hello = "hello, server"u8.ToArray();

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void ConnectAsync_gives_an_open_connection_whose_bytes_round_trip_through_a_server(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        serverGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();
        var handler = new ConnectRecorder { Greeting = Hello };

        Connection connection = Wait(connector.ConnectAsync(server.LocalEndPoint, handler));

        Assert.Same(handler.Connection, connection);
        Assert.Equal(1, handler.ConnectedCalls);
        Assert.True(handler.OnLoopThread, "OnConnected ran off the loop thread");
        Assert.Equal(Hello, handler.WaitForBytes(Hello.Length));
        Assert.Equal(1, connector.OpenConnections);
        group.Loops[0].Post(connection.Close);
        Assert.True(handler.ClosedEvent.Wait(Bound), "the connection never closed after Close");
        Assert.Equal(CloseReason.Local, handler.Reason);
        WaitFor(() => connector.OpenConnections == 0, "the closed connection's socket was never released");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void The_callback_form_on_the_loop_thread_reports_OnConnected_once_and_the_connection_serves(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack());
        serverGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();
        var handler = new ConnectRecorder { Greeting = Hello };

        PendingConnect pending = OnLoop(group.Loops[0], () => connector.Connect(server.LocalEndPoint, handler));

        Assert.True(handler.Connected.Wait(Bound), "OnConnected was never called");
        Assert.Equal(Hello, handler.WaitForBytes(Hello.Length));
        Assert.False(OnLoop(group.Loops[0], () => pending.IsPending), "the connect still shows as pending once connected");
        Assert.False(OnLoop(group.Loops[0], pending.Cancel), "cancelling a finished connect should do nothing");
        Assert.Equal(1, handler.ConnectedCalls);
        Assert.False(handler.Failed.IsSet);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_port_nobody_listens_on_is_refused_on_both_forms(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using Socket closed = BoundNotListening();
        var target = (IPEndPoint)closed.LocalEndPoint!;
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();

        ConnectException e = WaitFailure(connector.ConnectAsync(target, new ConnectRecorder()));
        Assert.Equal(ConnectError.Refused, e.Error);
        Assert.Equal(Errno.ECONNREFUSED, e.Errno);
        Assert.Same(target, e.RemoteEndPoint);
        Assert.Contains(target.ToString(), e.Message, StringComparison.Ordinal);

        var handler = new ConnectRecorder();
        OnLoop(group.Loops[0], () => connector.Connect(target, handler));
        Assert.True(handler.Failed.Wait(Bound), "OnConnectFailed was never called");
        Assert.Equal(ConnectError.Refused, handler.Failure!.Error);
        Assert.Equal(["failed"], handler.Events);
        WaitFor(() => connector.OpenConnections == 0, "a refused connect left a connection open");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_listener_that_never_answers_times_out_at_the_connect_timeout(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var silent = new FullBacklogListener();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        group.Start();

        ConnectException e = WaitFailure(connector.ConnectAsync(silent.EndPoint, new ConnectRecorder()));

        Assert.Equal(ConnectError.TimedOut, e.Error);
        Assert.Null(e.Errno);
        Assert.Contains("timed out after 0.3 s", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Cancelling_a_connect_under_way_reports_cancelled_on_both_forms(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var silent = new FullBacklogListener();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, ConnectTimeout = null });
        group.Start();

        using var cancel = new CancellationTokenSource();
        Task<Connection> connecting = connector.ConnectAsync(silent.EndPoint, new ConnectRecorder(), cancel.Token);
        Assert.False(Finishes(connecting, TimeSpan.FromMilliseconds(200)), "a connect to a full backlog finished");
        cancel.Cancel();
        Assert.Equal(ConnectError.Cancelled, WaitFailure(connecting).Error);

        var handler = new ConnectRecorder();
        PendingConnect pending = OnLoop(group.Loops[0], () => connector.Connect(silent.EndPoint, handler));
        Assert.True(OnLoop(group.Loops[0], () => pending.IsPending), "the connect is not under way");
        Assert.True(OnLoop(group.Loops[0], pending.Cancel), "Cancel found no connect under way");
        Assert.True(handler.Failed.Wait(Bound), "OnConnectFailed was never called after Cancel");
        Assert.Equal(ConnectError.Cancelled, handler.Failure!.Error);
        Assert.False(handler.Connected.IsSet);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_name_that_does_not_resolve_fails_as_name_not_resolved(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var group = new EventLoopGroup(1, backend);
        using var failing = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, Resolver = new TableResolver() });
        group.Start();

        ConnectException e = WaitFailure(failing.ConnectAsync(new DnsEndPoint("no-such-host.test", 80), new ConnectRecorder()));
        Assert.Equal(ConnectError.NameNotResolved, e.Error);
        Assert.Contains("no-such-host.test:80", e.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(e.InnerException);

        e = WaitFailure(failing.ConnectAsync(new DnsEndPoint("empty.test", 80), new ConnectRecorder()));
        Assert.Equal(ConnectError.NameNotResolved, e.Error);
        Assert.Contains("no IPv4 or IPv6 address", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_name_is_resolved_and_its_addresses_tried_in_order_until_one_connects(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack());
        serverGroup.Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        using Socket refusing = BoundNotListening();
        // The first address refuses (another loopback address with nothing on the port), the second is the server.
        var resolver = new TableResolver { ["two.test"] = [IPAddress.Parse("127.0.0.2"), IPAddress.Loopback] };
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, Resolver = resolver });
        group.Start();
        var handler = new ConnectRecorder { Greeting = Hello };

        Wait(connector.ConnectAsync(new DnsEndPoint("two.test", port), handler));

        Assert.Equal(Hello, handler.WaitForBytes(Hello.Length));
        Assert.Equal(["two.test"], resolver.Asked);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Localhost_resolves_through_the_system_resolver(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer v4 = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack());
        serverGroup.Start();
        int port = ((IPEndPoint)v4.LocalEndPoint).Port;
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();
        var handler = new ConnectRecorder { Greeting = Hello };

        // localhost may resolve to ::1 first, where nothing listens on this port: that address is refused and 127.0.0.1 tried next.
        Wait(connector.ConnectAsync(new DnsEndPoint("localhost", port), handler));

        Assert.Equal(Hello, handler.WaitForBytes(Hello.Length));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_local_address_in_use_fails_as_address_in_use(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, LocalEndPoint = taken.LocalEndPoint });
        group.Start();

        ConnectException e = WaitFailure(connector.ConnectAsync(taken.LocalEndPoint!, new ConnectRecorder()));

        Assert.Equal(ConnectError.AddressInUse, e.Error);
        Assert.Equal(Errno.EADDRINUSE, e.Errno);
        Assert.Contains(taken.LocalEndPoint!.ToString()!, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Disposing_the_connector_gives_up_connects_under_way_and_closes_its_connections(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var silent = new FullBacklogListener();
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack());
        serverGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, ConnectTimeout = null });
        group.Start();
        var open = new ConnectRecorder();
        Wait(connector.ConnectAsync(server.LocalEndPoint, open));
        Task<Connection> stuck = connector.ConnectAsync(silent.EndPoint, new ConnectRecorder());

        connector.Dispose();

        Assert.Equal(ConnectError.Cancelled, WaitFailure(stuck).Error);
        Assert.True(open.ClosedEvent.Wait(Bound), "the open connection was not closed with its connector");
        WaitFor(() => connector.OpenConnections == 0, "the connector's sockets were not released");
        Assert.Throws<ObjectDisposedException>(() => { _ = connector.ConnectAsync(server.LocalEndPoint, new ConnectRecorder()); });
    }

    [Fact]
    public void The_callback_form_refuses_a_foreign_thread_and_an_unreachable_kind_of_address()
    {
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
        using var connector = new Connector(group.Loops[0]);
        group.Start();

        var e = Assert.Throws<InvalidOperationException>(() => connector.Connect(new IPEndPoint(IPAddress.Loopback, 9), new ConnectRecorder()));
        Assert.Contains("ConnectAsync", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => { _ = connector.ConnectAsync(new OtherEndPoint(), new ConnectRecorder()); });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Connector(group.Loops[0], new ConnectOptions { ConnectTimeout = TimeSpan.Zero }));
    }

    private static Connection Wait(Task<Connection> task)
    {
        Assert.True(Finishes(task, Bound), "the connect did not finish");
        Assert.True(task.IsCompletedSuccessfully, $"the connect failed: {task.Exception?.InnerException?.Message}");
        return task.Result;
    }

    private static ConnectException WaitFailure(Task<Connection> task)
    {
        Assert.True(Finishes(task, Bound), "the connect did not finish");
        Assert.True(task.IsFaulted, $"the connect should have failed, but it is {task.Status}");
        return Assert.IsType<ConnectException>(task.Exception!.InnerException);
    }

    private sealed class OtherEndPoint : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.AppleTalk;
    }

    /// <summary>A resolver with a fixed table: a name in it resolves to its addresses (none for <c>empty.test</c>), any other fails as the system's would.</summary>
    private sealed class TableResolver : IHostResolver
    {
        private readonly Dictionary<string, IPAddress[]> _table = new(StringComparer.OrdinalIgnoreCase) { ["empty.test"] = [] };

        public List<string> Asked { get; } = [];

        public IPAddress[] this[string host]
        {
            set => _table[host] = value;
        }

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(host);
            }
            return _table.TryGetValue(host, out IPAddress[]? addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        }
    }
}
