using System.Net.Sockets;
using System.Text;
using IoMux.Pipelines;
using IoMux.Tests.Transport;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Pipelines;

/// <summary>A connection's <see cref="DuplexPipeStream"/> over real sockets on every mode: lines, half-close, dispose, timeouts, and no blocking on the loop.</summary>
[Collection(Selectors.Support.NonParallel.Name)]
public sealed class ConnectionStreamTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_StreamReader_application_answers_lines_then_half_closes_and_disposing_closes_gracefully(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await using DuplexPipeStream stream = pipe.AsStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            await using var writer = new StreamWriter(stream, leaveOpen: true) { AutoFlush = true };
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null && line != "bye")
            {
                await writer.WriteLineAsync(line.ToUpperInvariant());
            }
            await writer.WriteLineAsync("done");
            stream.ShutdownOutput(); // FIN now; the peer may still send, and it is read
            Assert.Equal("after the server's FIN", await reader.ReadLineAsync());
            Assert.Null(await reader.ReadLineAsync());
        });
        using Socket client = server.Connect();
        client.Send("hello\nworld\nbye\n"u8);
        Assert.Equal("HELLO\nWORLD\ndone\n", Encoding.UTF8.GetString(ReadToEnd(client)));
        client.Send("after the server's FIN\n"u8); // read by the application after its own FIN
        client.Shutdown(SocketShutdown.Send);
        WaitFor(() => server.Connections.Single().CloseReason is not null, "the connection did not close once both sides had ended");
        Assert.Equal(CloseReason.Local, server.Connections.Single().CloseReason);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_read_timeout_on_a_silent_peer_throws_and_the_stream_still_serves(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var timedOut = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            DuplexPipeStream stream = pipe.AsStream();
            stream.ReadTimeout = 100;
            byte[] buffer = new byte[16];
            try
            {
                _ = await stream.ReadAsync(buffer); // never returns: the peer sends nothing before the timeout
            }
            catch (IOException e)
            {
                timedOut.SetResult(e);
            }
            stream.ReadTimeout = Timeout.Infinite;
            int n = await stream.ReadAsync(buffer);
            await stream.WriteAsync(buffer.AsMemory(0, n));
            await stream.DisposeAsync();
        });
        using Socket client = server.Connect();
        Exception error = await timedOut.Task.WaitAsync(Bound);
        Assert.IsType<TimeoutException>(error.InnerException);
        client.Send("late"u8);
        Assert.Equal("late"u8.ToArray(), ReadToEnd(client));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_blocking_read_on_the_loop_thread_is_refused_instead_of_stopping_the_loop(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var refused = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            DuplexPipeStream stream = pipe.AsStream();
            try
            {
                _ = stream.Read(new byte[1]); // inline: this runs on the loop thread
                refused.SetResult(null);
            }
            catch (InvalidOperationException e)
            {
                refused.SetResult(e);
            }
            await stream.WriteAsync("still serving"u8.ToArray());
        }, new PipeConnectionOptions { RunApplicationInline = true });
        using Socket client = server.Connect();
        Exception? error = await refused.Task.WaitAsync(Bound);
        Assert.NotNull(error);
        Assert.Contains("blocking call", error!.Message, StringComparison.Ordinal);
        Assert.Equal("still serving"u8.ToArray(), ReadToEnd(client));
    }
}
