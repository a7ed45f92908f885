using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport;

/// <summary>
/// The completion model's stream receives: multishot with a byte limit where the kernel has one (a large message in
/// a few requests, not one per buffer), and single-shot where it does not, each delivering every byte in order.
/// </summary>
public sealed class CompletionReceiveTests
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    [MultishotReceiveFact]
    public void A_large_echo_takes_several_buffers_per_receive_request()
    {
        (long requests, long buffers) = Echo(multishot: true);
        Assert.True(requests * 2 <= buffers, $"{requests} receive requests brought {buffers} buffers: not multishot");
    }

    [CompletionFact]
    public void Single_shot_receives_one_buffer_per_request_deliver_the_same_bytes()
    {
        (long requests, long buffers) = Echo(multishot: false);
        Assert.True(requests >= buffers, $"{requests} single-shot receive requests brought {buffers} buffers");
    }

    /// <summary>Echoes 4 MiB through one connection; returns the loop's receive requests and the buffers they brought.</summary>
    private static (long Requests, long Buffers) Echo(bool multishot)
    {
        var handler = new ScriptedHandler { Data = (c, data) => c.Write(data) };
        using var group = new EventLoopGroup(1, SelectorBackend.IoUring);
        using TcpServer server = TcpServer.Start(group, Loopback, _ => handler, new TcpServerOptions { IoModel = IoModel.Completion });
        group.Start();
        EventLoop loop = group.Loops[0];
        CompletionQueue completions = loop.Completions;
        OnLoop(loop, () => completions.MultishotReceives = multishot);
        byte[] payload = HalfCloseTests.Pattern(4 << 20);

        using (Socket client = Connect(server))
        {
            var sender = Task.Run(() => client.Send(payload));
            Assert.Equal(payload, ReceiveExactly(client, payload.Length));
            Assert.True(sender.Wait(Bound), "the client's send did not finish");
        }
        Assert.Equal(multishot, OnLoop(loop, () => completions.MultishotReceives));
        return OnLoop(loop, () => (completions.ReceiveRequests, completions.ReceivedBuffers));
    }

    /// <summary>A completion fact that also needs a multishot receive's byte limit (Linux 6.17), skipped with the reason elsewhere.</summary>
    private sealed class MultishotReceiveFactAttribute : FactAttribute
    {
        public MultishotReceiveFactAttribute()
        {
            Skip = new CompletionFactAttribute().Skip;
            if (Skip is null && Environment.OSVersion.Version < new Version(6, 17))
            {
                Skip = $"multishot receives with a byte limit need Linux 6.17; this kernel is {Environment.OSVersion.Version}";
            }
        }
    }
}
