using System.Net.Sockets;
using IoMux.Native;
using IoMux.Tests.Selectors;
using IoMux.Transport;

using static IoMux.Tests.Transport.BothEnds.ConnectTestKit;
using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// Unix domain stream sockets on every transport mode: listening and connecting on a path and on an abstract name,
/// a dead server's socket file replaced, a live one refused, the file removed when the server stops.
/// </summary>
public sealed class UnixSocketTests
{
    private static readonly byte[] Message = "over a unix socket"u8.ToArray();

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_server_on_a_path_echoes_and_removes_its_file_when_it_stops(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var directory = new TempDirectory();
        var endPoint = new UnixDomainSocketEndPoint(UnixPath(directory));
        using var group = new EventLoopGroup(1, backend);
        TcpServer server = TcpServer.Start(group, endPoint, _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();

        Assert.Equal(endPoint.ToString(), server.LocalEndPoint.ToString());
        Assert.True(File.Exists(UnixPath(directory)), "the socket file was not created");
        using (Socket client = ConnectUnix(endPoint))
        {
            Assert.Equal(Message, RoundTrip(client, Message));
        }

        Assert.True(Finishes(server.StopAsync(TimeSpan.FromSeconds(2)), Bound), "the server did not stop");
        server.Dispose();
        Assert.False(File.Exists(UnixPath(directory)), "the socket file is still there after the server stopped");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_server_on_an_abstract_name_echoes_and_leaves_no_file(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        UnixDomainSocketEndPoint name = AbstractName();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, name, _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();

        Assert.StartsWith("@iomux-test-", server.LocalEndPoint.ToString(), StringComparison.Ordinal);
        using Socket client = ConnectUnix(name);
        Assert.Equal(Message, RoundTrip(client, Message));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void The_connector_reaches_a_unix_server_on_a_path_and_on_an_abstract_name(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var directory = new TempDirectory();
        var path = new UnixDomainSocketEndPoint(UnixPath(directory));
        UnixDomainSocketEndPoint name = AbstractName();
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer onPath = TcpServer.Start(serverGroup, path, _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        using TcpServer onName = TcpServer.Start(serverGroup, name, _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        serverGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();

        foreach (UnixDomainSocketEndPoint target in new[] { path, name })
        {
            var handler = new ConnectRecorder { Greeting = Message };
            Task<Connection> connecting = connector.ConnectAsync(target, handler);
            Assert.True(Finishes(connecting, Bound), $"the connect to {target} did not finish");
            Assert.True(connecting.IsCompletedSuccessfully, $"the connect to {target} failed: {connecting.Exception?.InnerException?.Message}");
            Assert.Equal(Message, handler.WaitForBytes(Message.Length));
        }
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_path_with_no_socket_file_is_refused(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var directory = new TempDirectory();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();

        Task<Connection> connecting = connector.ConnectAsync(new UnixDomainSocketEndPoint(UnixPath(directory)), new ConnectRecorder());

        Assert.True(Finishes(connecting, Bound), "the connect did not finish");
        var e = Assert.IsType<ConnectException>(connecting.Exception!.InnerException);
        Assert.Equal(ConnectError.Refused, e.Error);
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains($"unix:{UnixPath(directory)}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_unix_connect_that_the_kernel_answers_at_once_is_still_reported_after_Connect_returns(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var directory = new TempDirectory();
        var endPoint = new UnixDomainSocketEndPoint(UnixPath(directory));
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, endPoint, _ => new EchoBack());
        serverGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model });
        group.Start();
        var connects = new ConnectRecorder();
        var refused = new ConnectRecorder();

        OnLoop(group.Loops[0], () =>
        {
            connects.InsideConnect = refused.InsideConnect = true;
            connector.Connect(endPoint, connects);
            connector.Connect(new UnixDomainSocketEndPoint(UnixPath(directory, "nobody.sock")), refused);
            connects.InsideConnect = refused.InsideConnect = false;
            return 0;
        });

        Assert.True(connects.Connected.Wait(Bound), "the connect to a live Unix server never reported OnConnected");
        Assert.True(refused.Failed.Wait(Bound), "the connect to a missing socket file never reported OnConnectFailed");
        Assert.False(connects.CalledInsideConnect, "OnConnected was called from inside Connect");
        Assert.False(refused.CalledInsideConnect, "OnConnectFailed was called from inside Connect");
        Assert.Equal(ConnectError.Refused, refused.Failure!.Error);
    }

    [Fact]
    public void A_socket_file_left_by_a_dead_server_is_replaced()
    {
        using var directory = new TempDirectory();
        string path = UnixPath(directory);
        var endPoint = new UnixDomainSocketEndPoint(path);
        // A server that died: its socket closed the way a process's exit closes it, with no unlink (.NET's own
        // Socket removes its file on Dispose, which a killed process never does).
        Sockets.ListenUnix(endPoint, 1).Dispose();
        Assert.True(File.Exists(path), "the dead server's file should still be there");

        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
        using TcpServer server = TcpServer.Start(group, endPoint, _ => new EchoBack());
        group.Start();

        using Socket client = ConnectUnix(endPoint);
        Assert.Equal(Message, RoundTrip(client, Message));
    }

    [Fact]
    public void A_socket_file_a_live_server_answers_on_is_refused_and_kept()
    {
        using var directory = new TempDirectory();
        var endPoint = new UnixDomainSocketEndPoint(UnixPath(directory));
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(endPoint);
        live.Listen();
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);

        var e = Assert.Throws<SyscallException>(() => TcpServer.Start(group, endPoint, _ => new EchoBack()));

        Assert.Equal(Errno.EADDRINUSE, e.Errno);
        Assert.Contains($"unix:{UnixPath(directory)}: another socket is live there", e.Message, StringComparison.Ordinal);
        using Socket client = ConnectUnix(endPoint); // the live server still has its file
    }

    [Fact]
    public void A_path_held_by_a_file_that_is_not_a_socket_is_refused_and_the_file_kept()
    {
        using var directory = new TempDirectory();
        string path = UnixPath(directory);
        File.WriteAllText(path, "precious");
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);

        var e = Assert.Throws<SyscallException>(() => TcpServer.Start(group, new UnixDomainSocketEndPoint(path), _ => new EchoBack()));

        Assert.Equal(Errno.EADDRINUSE, e.Errno);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void Stopping_leaves_alone_a_file_another_server_has_put_at_the_path_since()
    {
        using var directory = new TempDirectory();
        string path = UnixPath(directory);
        var endPoint = new UnixDomainSocketEndPoint(path);
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
        TcpServer first = TcpServer.Start(group, endPoint, _ => new EchoBack());
        File.Delete(path);
        using var successor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        successor.Bind(endPoint);
        successor.Listen();

        first.Dispose();

        Assert.True(File.Exists(path), "disposing the first server removed its successor's file");
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Several_loops_share_one_unix_listener(SelectorBackend backend)
    {
        using var directory = new TempDirectory();
        var endPoint = new UnixDomainSocketEndPoint(UnixPath(directory));
        using var group = new EventLoopGroup(2, backend);
        using TcpServer server = TcpServer.Start(group, endPoint, _ => new EchoBack());
        group.Start();

        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                clients.Add(ConnectUnix(endPoint));
            }
            foreach (Socket client in clients)
            {
                Assert.Equal(Message, RoundTrip(client, Message));
            }
            Assert.Equal(20, server.Counters.Accepted);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
