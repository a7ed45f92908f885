using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// <see cref="Connection.PauseReading"/> keeps received bytes in the kernel (proved from /proc/net/tcp, not by
/// timing), and it composes with the watermark pause: reading resumes only when neither holds it.
/// </summary>
public sealed class ReadingPauseTests
{
    private const int HighWatermark = 64 * 1024;
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);
    private static readonly byte[] Big = HalfCloseTests.Pattern(4 << 20);
    private static readonly byte[] Request = HalfCloseTests.Pattern(100);

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_paused_connection_leaves_bytes_in_the_kernel_until_ResumeReading(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler { Connected = c => c.PauseReading() };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket client = Connect(server);
        handler.Expect("connected");

        client.Send(Request);
        WaitFor(() => ServerUnread(client) == Request.Length, "the bytes never reached the server's socket");
        AfterTwoTurns(group.Loops[0]);
        Assert.Equal(0, handler.ReceivedCount);
        Assert.True(OnLoop(group.Loops[0], () => handler.Connection!.IsReadPaused));

        OnLoop(group.Loops[0], () =>
        {
            handler.Connection!.ResumeReading();
            return true;
        });
        WaitFor(() => handler.ReceivedCount == Request.Length, "reading did not resume");
        Assert.Equal(Request, handler.Received());
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_pause_while_data_flows_stops_the_receive_in_flight(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        // Paused from OnData, with the connection receiving: a receive that stays armed (multishot) must be stopped.
        var handler = new ScriptedHandler { Data = (c, _) => c.PauseReading() };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { Trigger = trigger, IoModel = model });
        group.Start();
        using Socket client = Connect(server);
        handler.Expect("connected");

        client.Send(Request);
        WaitFor(() => handler.ReceivedCount == Request.Length, "the first request was never delivered");
        // The pause's cancel reaches the kernel with the loop's next wait; bytes that arrive before it may still be
        // delivered (as the single-shot receive in flight delivers its chunk), so send once the loop has waited.
        AfterTwoTurns(group.Loops[0]);
        client.Send(Request);
        WaitFor(() => ServerUnread(client) == Request.Length, "the second request never reached the server's socket");
        AfterTwoTurns(group.Loops[0]);
        Assert.Equal(Request.Length, handler.ReceivedCount);

        OnLoop(group.Loops[0], () =>
        {
            handler.Connection!.ResumeReading();
            return true;
        });
        WaitFor(() => handler.ReceivedCount == 2 * Request.Length, "reading did not resume");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void The_handlers_pause_outlasts_the_watermark(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler
        {
            Connected = c =>
            {
                c.PauseReading();
                c.Write(Big);
            },
        };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = StartServer(group, handler, trigger, model);
        using Socket client = Connect(server, receiveBuffer: 4096);
        handler.Expect("connected");
        handler.Expect("blocked");

        client.Send(Request);
        Assert.Equal(Big, ReceiveExactly(client, Big.Length)); // the queue drains: the watermark lets go
        handler.Expect("writable");
        WaitFor(() => ServerUnread(client) == Request.Length, "the bytes never reached the server's socket");
        AfterTwoTurns(group.Loops[0]);
        Assert.Equal(0, handler.ReceivedCount);
        Assert.True(OnLoop(group.Loops[0], () => handler.Connection!.IsReadPaused && !handler.Connection.IsOutputBlocked));

        OnLoop(group.Loops[0], () =>
        {
            handler.Connection!.ResumeReading();
            return true;
        });
        WaitFor(() => handler.ReceivedCount == Request.Length, "reading did not resume when the last hold was lifted");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void The_watermark_outlasts_the_handlers_pause(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new ScriptedHandler
        {
            Connected = c =>
            {
                c.PauseReading();
                c.Write(Big);
            },
        };
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = StartServer(group, handler, trigger, model);
        using Socket client = Connect(server, receiveBuffer: 4096);
        handler.Expect("connected");
        handler.Expect("blocked");

        client.Send(Request);
        WaitFor(() => ServerUnread(client) == Request.Length, "the bytes never reached the server's socket");
        Assert.True(OnLoop(group.Loops[0], () =>
        {
            handler.Connection!.ResumeReading();
            return handler.Connection.IsReadPaused && handler.Connection.IsOutputBlocked;
        }), "lifting the handler's pause should leave the watermark's");
        AfterTwoTurns(group.Loops[0]);
        Assert.Equal(0, handler.ReceivedCount);

        Assert.Equal(Big, ReceiveExactly(client, Big.Length));
        handler.Expect("writable");
        WaitFor(() => handler.ReceivedCount == Request.Length, "reading did not resume when the queue drained");
    }

    private static TcpServer StartServer(EventLoopGroup group, ScriptedHandler handler, Trigger trigger, IoModel model)
    {
        TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions
        {
            Trigger = trigger, IoModel = model, WriteHighWatermark = HighWatermark,
        });
        group.Start();
        return server;
    }

    /// <summary>Bytes the client sent that sit unread in the server's socket.</summary>
    private static long ServerUnread(Socket client) => TcpQueues.Unread((IPEndPoint)client.RemoteEndPoint!, (IPEndPoint)client.LocalEndPoint!);

    /// <summary>Two full loop turns: a read the loop wrongly allowed would have happened by then.</summary>
    private static void AfterTwoTurns(EventLoop loop)
    {
        OnLoop(loop, () => true);
        OnLoop(loop, () => true);
    }
}
