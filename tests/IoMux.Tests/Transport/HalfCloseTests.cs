using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>Half-close in both directions: the peer's FIN told to the handler, half-open connections, and <see cref="Connection.ShutdownOutput"/>.</summary>
public sealed class HalfCloseTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);
    // Large enough to stay queued, and short of the default 1 MiB high watermark even with the echoed request still
    // queued beside it (a completion receive may bring the request and the FIN in one batch): these tests are about
    // FIN, not back-pressure.
    private static readonly byte[] Late = Pattern((1 << 20) - 4096);

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Half_open_the_server_writes_after_the_peers_FIN_and_closes_when_it_shuts_its_output(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler
        {
            Data = (c, data) => c.Write(data),
            // Answer later, from outside any callback: the connection must still be open for writing.
            InputEnded = c => c.Loop.Post(() =>
            {
                Assert.True(c.Write(Late), "a half-open connection refused a write after the peer's FIN");
                c.ShutdownOutput();
            }),
        };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model, AllowHalfOpen = true });
        group.Start();
        using Socket client = Connect(server);

        client.Send("hello"u8);
        client.Shutdown(SocketShutdown.Send);
        byte[] received = ReadToEnd(client);

        Assert.Equal([.. "hello"u8, .. Late], received);
        handler.Expect("connected");
        handler.Expect("input-ended");
        handler.Expect("closed:PeerClosed");
        Assert.False(handler.Reentered);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void By_default_the_handler_is_told_of_the_peers_FIN_may_answer_and_the_connection_then_closes(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler
        {
            Data = (c, data) => c.Write(data),
            InputEnded = c => Assert.True(c.Write(Late), "the handler could not answer the peer's FIN"),
        };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket client = Connect(server);

        client.Send("bye"u8);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal([.. "bye"u8, .. Late], ReadToEnd(client));
        handler.Expect("connected");
        handler.Expect("input-ended");
        handler.Expect("closed:PeerClosed");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void ShutdownOutput_sends_what_is_queued_then_FIN_and_reading_goes_on_until_the_peers_FIN(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        int writeAfterShutdown = -1; // unknown until the loop thread wrote 0 or 1
        var handler = new ScriptedHandler
        {
            Connected = c =>
            {
                c.Write(Late);
                c.ShutdownOutput();
                Volatile.Write(ref writeAfterShutdown, c.Write("x"u8) ? 1 : 0);
            },
        };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket client = Connect(server);

        Assert.Equal(Late, ReadToEnd(client)); // everything queued, then EOF
        WaitFor(() => Volatile.Read(ref writeAfterShutdown) >= 0, "OnConnected never finished");
        Assert.True(writeAfterShutdown == 0, "Write after ShutdownOutput should refuse");
        client.Send("still reading?"u8);
        WaitFor(() => handler.ReceivedCount == 14, "the server stopped reading after shutting its output");
        Assert.Equal("still reading?"u8.ToArray(), handler.Received());
        Assert.True(OnLoop(group.Loops[0], () => handler.Connection!.IsOutputShut && !handler.Connection.IsClosed));

        client.Shutdown(SocketShutdown.Send);
        handler.Expect("connected");
        handler.Expect("input-ended");
        handler.Expect("closed:Local"); // this end shut first
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Reset_sends_the_peer_RST_instead_of_FIN(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler { Data = (c, _) => c.Reset() };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket client = Connect(server);

        client.Send("x"u8);
        var e = Assert.Throws<SocketException>(() => client.Receive(new byte[16]));
        Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        handler.Expect("connected");
        handler.Expect("closed:Aborted");
    }

    internal static byte[] Pattern(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 31 + (i >> 8));
        }
        return data;
    }
}
