using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// The completion model's sends are written as the loop enters the kernel, not when a write queues them: whatever a
/// turn queued on a connection leaves in one request (the buffers of a large message delivered together included).
/// </summary>
public sealed class CompletionSendTests
{
    [CompletionFact]
    public void Writes_queued_in_one_callback_leave_in_one_send()
    {
        // Three writes per received chunk: written at once, the first would be in flight alone and the other two
        // would wait for its completion, a second request.
        var handler = new ScriptedHandler
        {
            Data = (c, data) =>
            {
                int third = data.Length / 3;
                c.Write(data.AsSpan(0, third));
                c.Write(data.AsSpan(third, third));
                c.Write(data.AsSpan(2 * third));
            },
        };
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => handler, new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        EventLoop loop = group.Loops[0];
        byte[] message = HalfCloseTests.Pattern(300);

        using Socket client = Connect(server);
        long before = OnLoop(loop, () => loop.Completions.SendRequests);
        client.Send(message);

        Assert.Equal(message, ReceiveExactly(client, message.Length));
        long sends = OnLoop(loop, () => loop.Completions.SendRequests) - before;
        Assert.True(sends == 1, $"three writes of one callback took {sends} send requests");
    }
}
