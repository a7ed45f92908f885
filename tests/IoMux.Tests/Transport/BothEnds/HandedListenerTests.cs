using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.BothEnds.ConnectTestKit;
using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// Listening on a socket the process was handed (what socket activation and <c>--fd</c> pass): served on every
/// transport mode, checked to be a listening stream socket, and left to its owner when the server stops.
/// </summary>
public sealed class HandedListenerTests
{
    private static readonly byte[] Message = "handed over"u8.ToArray();

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_handed_TCP_listener_is_served_and_stays_its_owners_after_the_server_stops(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var group = new EventLoopGroup(2, backend);
        TcpServer server = TcpServer.StartOnListener(group, listener.SafeHandle, _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();

        Assert.Equal(listener.LocalEndPoint, server.LocalEndPoint);
        for (int i = 0; i < 4; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
            client.Connect(listener.LocalEndPoint!);
            Assert.Equal(Message, RoundTrip(client, Message));
        }
        server.Dispose();

        // The owner's socket still listens: a client reaches its queue once the server's duplicates are closed.
        using var later = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        later.Connect(listener.LocalEndPoint!);
        listener.Blocking = true;
        using Socket accepted = listener.Accept();
        Assert.True(accepted.Connected);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_handed_unix_listener_is_served_and_its_file_left_in_place(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var directory = new TempDirectory();
        var endPoint = new UnixDomainSocketEndPoint(UnixPath(directory));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(endPoint);
        listener.Listen();
        using var group = new EventLoopGroup(1, backend);
        TcpServer server = TcpServer.StartOnListener(group, listener.SafeHandle, _ => new EchoBack(), new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();

        using (Socket client = ConnectUnix(endPoint))
        {
            Assert.Equal(Message, RoundTrip(client, Message));
        }
        server.Dispose();

        Assert.True(File.Exists(UnixPath(directory)), "the server removed a file it did not bind");
    }

    [Fact]
    public void A_socket_that_is_not_listening_is_refused_saying_so()
    {
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var datagram = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Dispose();

        var notListening = Assert.Throws<ArgumentException>(() => TcpServer.StartOnListener(group, bound.SafeHandle, _ => new EchoBack()));
        Assert.Contains("is a stream socket that is not listening", notListening.Message, StringComparison.Ordinal);
        var dgram = Assert.Throws<ArgumentException>(() => TcpServer.StartOnListener(group, datagram.SafeHandle, _ => new EchoBack()));
        Assert.Contains("is a datagram socket; a server needs a listening stream socket", dgram.Message, StringComparison.Ordinal);
        var gone = Assert.Throws<ArgumentException>(() => TcpServer.StartOnListener(group, closed.SafeHandle, _ => new EchoBack()));
        Assert.Contains("closed", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_descriptor_that_is_not_a_socket_is_refused_saying_so()
    {
        using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
        using FileStream file = File.OpenRead("/proc/self/stat");

        var e = Assert.Throws<ArgumentException>(() => TcpServer.StartOnListener(group, file.SafeFileHandle, _ => new EchoBack()));

        Assert.Contains("is not a socket; pass a listening stream socket", e.Message, StringComparison.Ordinal);
    }
}
