using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IoMux.Native;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>Socket options reach the kernel — per listener for every accepted socket, and per connection — and bad values are refused by name.</summary>
public sealed class SocketOptionsTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_listeners_options_are_set_on_every_accepted_socket(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var opened = new OpenedConnections();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, opened.Handler, new TcpServerOptions
        {
            Trigger = trigger,
            IoModel = model,
            Socket = new SocketOptions
            {
                NoDelay = false,
                KeepAlive = new TcpKeepAlive { Idle = TimeSpan.FromSeconds(11), Interval = TimeSpan.FromSeconds(3), ProbeCount = 5 },
                SendBufferSize = 64 * 1024,
                ReceiveBufferSize = 32 * 1024,
                UserTimeout = TimeSpan.FromMilliseconds(4500),
            },
        });
        group.Start();
        using Socket client = Connect(server);
        Connection connection = opened.Next();

        Dictionary<string, int> seen = OnLoop(connection.Loop, () => Read(connection.Fd));
        Assert.Equal(0, seen["nodelay"]);
        Assert.Equal(1, seen["keepalive"]);
        Assert.Equal(11, seen["idle"]);
        Assert.Equal(3, seen["interval"]);
        Assert.Equal(5, seen["count"]);
        Assert.Equal(4500, seen["usertimeout"]);
        Assert.Equal(2 * 64 * 1024, seen["sndbuf"]); // the kernel doubles what it is given for its bookkeeping
        Assert.Equal(2 * 32 * 1024, seen["rcvbuf"]);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void One_connections_options_change_only_that_connection(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var opened = new OpenedConnections();
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, opened.Handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket first = Connect(server);
        Connection tuned = opened.Next();
        using Socket second = Connect(server);
        Connection untouched = opened.Next();

        OnLoop(tuned.Loop, () =>
        {
            tuned.SetSocketOptions(new SocketOptions { NoDelay = false, KeepAlive = new TcpKeepAlive { Idle = TimeSpan.FromSeconds(7) } });
            return true;
        });

        Dictionary<string, int> a = OnLoop(tuned.Loop, () => Read(tuned.Fd));
        Dictionary<string, int> b = OnLoop(untouched.Loop, () => Read(untouched.Fd));
        Assert.Equal((0, 1, 7), (a["nodelay"], a["keepalive"], a["idle"]));
        Assert.Equal((1, 0), (b["nodelay"], b["keepalive"])); // the defaults: no Nagle delay, no keep-alive
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void An_option_out_of_range_is_refused_by_name_before_anything_is_opened(SocketOptions options, string name)
    {
        using var group = new EventLoopGroup(1, SelectorBackend.Poll);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TcpServer.Start(group, Loopback, _ => throw new InvalidOperationException("never called"), new TcpServerOptions { Socket = options }));
        Assert.Equal(name, e.ParamName);
    }

    public static TheoryData<SocketOptions, string> BadOptions => new()
    {
        { new SocketOptions { SendBufferSize = 0 }, "SocketOptions.SendBufferSize" },
        { new SocketOptions { ReceiveBufferSize = -1 }, "SocketOptions.ReceiveBufferSize" },
        { new SocketOptions { UserTimeout = TimeSpan.Zero }, "SocketOptions.UserTimeout" },
        { new SocketOptions { UserTimeout = TimeSpan.FromTicks(15_000) }, "SocketOptions.UserTimeout" },
        { new SocketOptions { KeepAlive = new TcpKeepAlive { Idle = TimeSpan.FromMilliseconds(1500) } }, "SocketOptions.KeepAlive.Idle" },
        { new SocketOptions { KeepAlive = new TcpKeepAlive { Interval = TimeSpan.FromSeconds(40_000) } }, "SocketOptions.KeepAlive.Interval" },
        { new SocketOptions { KeepAlive = new TcpKeepAlive { ProbeCount = 0 } }, "SocketOptions.KeepAlive.ProbeCount" },
    };

    [Fact]
    public void Setting_options_on_a_closed_connection_fails_with_EBADF()
    {
        var opened = new OpenedConnections();
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
        using TcpServer server = TcpServer.Start(group, Loopback, opened.Handler);
        group.Start();
        using Socket client = Connect(server);
        Connection connection = opened.Next();

        var e = OnLoop(connection.Loop, () =>
        {
            connection.Abort();
            return Record.Exception(() => connection.SetSocketOptions(new SocketOptions()));
        });
        Assert.Equal(Errno.EBADF, Assert.IsType<SyscallException>(e).Errno);
    }

    private static Dictionary<string, int> Read(int fd) => new()
    {
        ["nodelay"] = SocketTuning.Get(fd, Constants.IPPROTO_TCP, Constants.TCP_NODELAY, "getsockopt"),
        ["keepalive"] = SocketTuning.Get(fd, Constants.SOL_SOCKET, SocketTuning.SO_KEEPALIVE, "getsockopt"),
        ["idle"] = SocketTuning.Get(fd, Constants.IPPROTO_TCP, SocketTuning.TCP_KEEPIDLE, "getsockopt"),
        ["interval"] = SocketTuning.Get(fd, Constants.IPPROTO_TCP, SocketTuning.TCP_KEEPINTVL, "getsockopt"),
        ["count"] = SocketTuning.Get(fd, Constants.IPPROTO_TCP, SocketTuning.TCP_KEEPCNT, "getsockopt"),
        ["usertimeout"] = SocketTuning.Get(fd, Constants.IPPROTO_TCP, SocketTuning.TCP_USER_TIMEOUT, "getsockopt"),
        ["sndbuf"] = SocketTuning.Get(fd, Constants.SOL_SOCKET, Constants.SO_SNDBUF, "getsockopt"),
        ["rcvbuf"] = SocketTuning.Get(fd, Constants.SOL_SOCKET, Constants.SO_RCVBUF, "getsockopt"),
    };

    /// <summary>Hands each accepted connection to the test, in order.</summary>
    private sealed class OpenedConnections : IConnectionHandler
    {
        private readonly BlockingCollection<Connection> _opened = [];

        public OpenedConnections Handler(Connection connection) => this;

        public Connection Next()
        {
            Assert.True(_opened.TryTake(out Connection? connection, Bound), "the server never told a handler of the connection");
            return connection;
        }

        public void OnConnected(Connection connection) => _opened.Add(connection);

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }
}
