using System.Net;
using System.Net.Sockets;
using System.Buffers;
using System.IO.Pipelines;
using IoMux.Pipelines;
using IoMux.Tests.Transport;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Pipelines;

/// <summary>
/// Pipes with no application delegate — what a client's connect hands back — used by the code that holds them, from
/// the test thread, on every mode: bytes both ways, then a dispose that closes gracefully.
/// </summary>
[Collection(Selectors.Support.NonParallel.Name)]
public sealed class HeldPipesTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task Pipes_without_an_application_carry_bytes_both_ways_and_dispose_closes_gracefully(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var opened = new TaskCompletionSource<ConnectionPipes>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), connection =>
        {
            var pipes = new ConnectionPipes(connection.Loop, application: null, new PipeConnectionOptions());
            opened.SetResult(pipes);
            return pipes;
        }, new TcpServerOptions { Trigger = trigger, IoModel = model, AllowHalfOpen = true });
        group.Start();
        using Socket client = Connect(server);
        ConnectionPipes held = await opened.Task.WaitAsync(Bound);
        PipeConnection pipe = OnLoop(group.Loops[0], () => held.Face); // set when the connection opened, before its first read

        client.Send("ping"u8);
        ReadResult read = await pipe.Input.ReadAtLeastAsync(4).AsTask().WaitAsync(Bound);
        Assert.Equal("ping"u8.ToArray(), read.Buffer.ToArray());
        pipe.Input.AdvanceTo(read.Buffer.End);
        await pipe.Output.WriteAsync("pong"u8.ToArray());
        Assert.Equal("pong"u8.ToArray(), ReceiveExactly(client, 4));

        await pipe.DisposeAsync();
        Assert.Empty(ReadToEnd(client)); // FIN after what was written
        client.Shutdown(SocketShutdown.Send);
        WaitFor(() => pipe.CloseReason is not null, "the disposed connection never closed");
        Assert.Equal(CloseReason.Local, pipe.CloseReason);
    }
}
