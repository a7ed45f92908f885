using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary><see cref="IConnectionHandler.OnWriteBlocked"/> and <see cref="IConnectionHandler.OnWritable"/> come in pairs, never inside another callback.</summary>
public sealed class WritabilityTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);
    private static readonly byte[] Big = HalfCloseTests.Pattern(2 << 20);

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Blocked_and_writable_alternate_whoever_writes(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        int writableCalls = 0;
        var handler = new ScriptedHandler
        {
            Connected = c => c.Write(Big),
            // The first drain writes again from inside OnWritable; the second round's write comes from outside any callback.
            Writable = c =>
            {
                if (++writableCalls == 1)
                {
                    c.Write(Big);
                }
            },
        };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions
        {
            Trigger = trigger, IoModel = model, WriteHighWatermark = 64 * 1024,
            // A fixed kernel buffer: autotuned, it can grow to take a whole write at once and nothing is queued.
            Socket = new SocketOptions { SendBufferSize = 32 * 1024 },
        });
        group.Start();
        using Socket client = Connect(server, receiveBuffer: 4096);

        handler.Expect("connected");
        handler.Expect("blocked");
        Assert.True(OnLoop(group.Loops[0], () => handler.Connection!.IsOutputBlocked));
        Assert.Equal(Big, ReceiveExactly(client, Big.Length));
        handler.Expect("writable");
        handler.Expect("blocked");
        Assert.Equal(Big, ReceiveExactly(client, Big.Length));
        handler.Expect("writable");
        Assert.False(OnLoop(group.Loops[0], () => handler.Connection!.IsOutputBlocked));

        Assert.True(OnLoop(group.Loops[0], () => handler.Connection!.Write(Big) && handler.Connection.IsOutputBlocked));
        handler.Expect("blocked");
        Assert.Equal(Big, ReceiveExactly(client, Big.Length));
        handler.Expect("writable");
        Assert.False(handler.Reentered, "a writability callback ran inside another callback");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Without_PauseReadingWhileBlocked_a_blocked_connection_goes_on_reading(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler { Connected = c => c.Write(Big) };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions
        {
            Trigger = trigger, IoModel = model, WriteHighWatermark = 64 * 1024, PauseReadingWhileBlocked = false,
            Socket = new SocketOptions { SendBufferSize = 32 * 1024 },
        });
        group.Start();
        using Socket client = Connect(server, receiveBuffer: 4096);
        handler.Expect("connected");
        handler.Expect("blocked");

        byte[] request = HalfCloseTests.Pattern(100_000);
        client.Send(request);
        WaitFor(() => handler.ReceivedCount == request.Length, "a blocked connection stopped reading although PauseReadingWhileBlocked is off");
        Assert.True(OnLoop(group.Loops[0], () => handler.Connection!.IsOutputBlocked && !handler.Connection.IsReadPaused));
        Assert.Equal(Big, ReceiveExactly(client, Big.Length));
        handler.Expect("writable");
    }
}
