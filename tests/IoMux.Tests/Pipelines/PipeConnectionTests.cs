using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using IoMux.Pipelines;
using IoMux.Tests.Selectors.Support;
using IoMux.Tests.Transport;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Pipelines;

/// <summary>
/// The pipe adapter over real loopback connections, on every backend, trigger and I/O model: transfers, back-pressure
/// both ways, cancellation, closes in both directions, application failures. Process-wide socket counts make some of
/// these sensitive to other tests, so they run alone.
/// </summary>
[Collection(NonParallel.Name)]
public sealed class PipeConnectionTests
{
    public static TheoryData<SelectorBackend, Trigger, IoModel, bool> ModesBothSchedulers
    {
        get
        {
            var data = new TheoryData<SelectorBackend, Trigger, IoModel, bool>();
            foreach (object[] row in TransportModes.All)
            {
                data.Add((SelectorBackend)row[0], (Trigger)row[1], (IoModel)row[2], false);
                data.Add((SelectorBackend)row[0], (Trigger)row[1], (IoModel)row[2], true);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ModesBothSchedulers))]
    public void An_echo_application_returns_16_MiB_intact(SelectorBackend backend, Trigger trigger, IoModel model, bool inline)
    {
        using var server = new PipeTestServer(backend, trigger, model, pipe => pipe.Input.CopyToAsync(pipe.Output),
            new PipeConnectionOptions { RunApplicationInline = inline });
        using Socket client = server.Connect();
        byte[] payload = Payload(16 << 20);

        var flood = new Flood(client, payload);
        byte[] echoed = ReceiveExactly(client, payload.Length);
        Assert.True(flood.Join(Bound), "the client could not send everything");
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echo differs from what was sent");

        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(ReadToEnd(client)); // the application's return closed the connection gracefully: EOF, nothing more
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void An_application_sends_32_MiB_and_receives_32_MiB(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        byte[] payload = Payload(32 << 20);
        long received = 0;
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            Task sending = Task.Run(async () =>
            {
                for (int at = 0; at < payload.Length; at += 100_000)
                {
                    FlushResult flushed = await pipe.Output.WriteAsync(payload.AsMemory(at, Math.Min(100_000, payload.Length - at)));
                    Assert.False(flushed.IsCompleted, "the connection stopped taking output mid-transfer");
                }
            });
            while (true)
            {
                ReadResult read = await pipe.Input.ReadAsync();
                Interlocked.Add(ref received, read.Buffer.Length);
                pipe.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
            await sending;
        });
        using Socket client = server.Connect();

        var flood = new Flood(client, payload);
        byte[] got = ReceiveExactly(client, payload.Length);
        Assert.True(flood.Join(Bound), "the client could not send everything");
        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(ReadToEnd(client));
        Assert.True(payload.AsSpan().SequenceEqual(got), "what the application sent arrived changed");
        Assert.Equal(payload.Length, Interlocked.Read(ref received));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task An_application_that_stops_reading_stops_the_socket_being_read(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        const int threshold = 64 * 1024;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        long consumed = 0;
        Task? application = null;
        using var server = new PipeTestServer(backend, trigger, model, pipe => application = ReadAfterRelease(pipe),
            new PipeConnectionOptions { InputPauseThreshold = threshold }, receiveBuffer: 1 << 20);
        using Socket client = server.Connect();
        byte[] payload = Payload(64 << 20);
        var flood = new Flood(client, payload);

        WaitFor(() => !server.Connections.IsEmpty, "the application never started");
        PipeConnection connection = server.Connections.Single();
        WaitFor(() => OnLoop(server.Loop, () => connection.Connection.IsReadPaused), "the connection was never paused although the application read nothing");
        // Paused, the socket's receive queue fills (a fixed 1 MiB SO_RCVBUF, so the kernel does not keep the window
        // small for a reader that never reads).
        WaitFor(() => TcpQueues.Unread((System.Net.IPEndPoint)server.Server.LocalEndPoint, (System.Net.IPEndPoint)client.LocalEndPoint!) > 512 * 1024,
            "the server's receive queue never filled: the socket was still being read although the application read nothing");
        Assert.False(flood.Join(TimeSpan.Zero), "64 MiB went through although the application read nothing");

        release.SetResult();
        long buffered = await held.Task.WaitAsync(Bound);
        // What the pipe held: its threshold, plus at most what one loop turn reads before the flush says to stop.
        Assert.InRange(buffered, 1, threshold + (256 * 1024) + (64 * 1024));
        Assert.True(flood.Join(Bound), "the flood did not finish once the application read again");
        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(ReadToEnd(client));
        // An input that failed rather than completed (the connection reset or in error) throws here, with its reason;
        // ReadToEnd cannot tell a reset from an end.
        await application!.WaitAsync(Bound);
        Assert.Equal(payload.Length, Interlocked.Read(ref consumed));

        async Task ReadAfterRelease(PipeConnection pipe)
        {
            await release.Task;
            ReadResult first = await pipe.Input.ReadAsync();
            held.SetResult(first.Buffer.Length);
            while (true)
            {
                ReadResult read = first.Buffer.IsEmpty ? await pipe.Input.ReadAsync() : first;
                first = default;
                Interlocked.Add(ref consumed, read.Buffer.Length);
                pipe.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_peer_that_does_not_read_holds_the_application_s_flush(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        const int total = 64 << 20, chunk = 64 * 1024, highWatermark = 256 * 1024;
        byte[] payload = Payload(total);
        long written = 0;
        int flushing = 0;
        var finished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            for (int at = 0; at < total; at += chunk)
            {
                pipe.Output.Write(payload.AsSpan(at, chunk));
                Volatile.Write(ref flushing, 1);
                FlushResult flushed = await pipe.Output.FlushAsync();
                Volatile.Write(ref flushing, 0);
                if (flushed.IsCompleted)
                {
                    finished.SetResult(false);
                    return;
                }
                Interlocked.Add(ref written, chunk);
            }
            finished.SetResult(true);
        }, highWatermark: highWatermark, maxQueued: 8 << 20);
        using Socket client = server.Connect(receiveBuffer: 4096);

        // The connection queue passes its high watermark, the pump stops, the pipe fills, and the flush waits.
        WaitFor(() => Volatile.Read(ref flushing) == 1 && Interlocked.Read(ref written) > highWatermark && TcpQueues.Unsent((System.Net.IPEndPoint)server.Server.LocalEndPoint, (System.Net.IPEndPoint)client.LocalEndPoint!) > 0,
            "the application never had to wait for a peer that reads nothing");
        Assert.False(finished.Task.IsCompleted, "the application wrote 64 MiB to a peer that read nothing");

        byte[] got = ReceiveExactly(client, total);
        Assert.True(await finished.Task.WaitAsync(Bound), "the connection stopped taking output (its queue limit was passed: the flush did not hold the application)");
        Assert.True(payload.AsSpan().SequenceEqual(got), "the bytes arrived changed");
        Assert.Empty(ReadToEnd(client));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_cancelled_read_throws_in_the_application_and_the_connection_goes_on(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            using (var cancel = new CancellationTokenSource())
            {
                ValueTask<ReadResult> pending = pipe.Input.ReadAsync(cancel.Token);
                await cancel.CancelAsync();
                try
                {
                    await pending;
                    await pipe.Output.WriteAsync("not cancelled\n"u8.ToArray());
                }
                catch (OperationCanceledException)
                {
                    await pipe.Output.WriteAsync("cancelled\n"u8.ToArray());
                }
            }
            await pipe.Input.CopyToAsync(pipe.Output);
        });
        using Socket client = server.Connect();
        Assert.Equal("cancelled\n"u8.ToArray(), ReceiveExactly(client, 10));
        client.Send("still here"u8);
        Assert.Equal("still here"u8.ToArray(), ReceiveExactly(client, 10));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task The_peer_s_FIN_completes_the_input_and_the_application_can_still_answer(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            long total = 0;
            while (true)
            {
                ReadResult read = await pipe.Input.ReadAsync();
                total += read.Buffer.Length;
                pipe.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
            await pipe.Output.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"got {total}"));
        });
        using Socket client = server.Connect();
        client.Send(new byte[100_000]);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("got 100000"u8.ToArray(), ReadToEnd(client));
        WaitFor(() => server.Connections.Single().CloseReason is not null, "the connection did not close after the application returned");
        Assert.Contains(server.Connections.Single().CloseReason, new CloseReason?[] { CloseReason.Local, CloseReason.PeerClosed });
        await Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Completing_the_output_half_closes_and_reading_goes_on(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await pipe.Output.WriteAsync("ready"u8.ToArray());
            await pipe.Output.CompleteAsync();
            ReadResult read;
            do
            {
                read = await pipe.Input.ReadAsync();
                pipe.Input.AdvanceTo(read.Buffer.End);
            }
            while (!read.IsCompleted);
        });
        using Socket client = server.Connect();
        Assert.Equal("ready"u8.ToArray(), ReadToEnd(client)); // FIN after the bytes
        client.Send("more after your FIN"u8); // the server still reads: no reset comes back
        client.Shutdown(SocketShutdown.Send);
        WaitFor(() => server.Connections.Single().CloseReason is not null, "the connection did not close once both sides had ended");
        Assert.NotEqual(CloseReason.Reset, server.Connections.Single().CloseReason);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_reset_from_the_peer_fails_the_read_cancels_the_token_and_completes_the_flush(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var outcome = new TaskCompletionSource<(Exception? Read, bool TokenCancelled, bool FlushCompleted)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            Exception? readError = null;
            try
            {
                while (true)
                {
                    ReadResult read = await pipe.Input.ReadAsync();
                    pipe.Input.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (IOException e)
            {
                readError = e;
            }
            var cancelled = new TaskCompletionSource();
            using (pipe.ConnectionClosed.Register(cancelled.SetResult))
            {
                await cancelled.Task.WaitAsync(Bound);
            }
            FlushResult flushed = await pipe.Output.WriteAsync(new byte[10]); // nothing is written after the close
            outcome.SetResult((readError, pipe.ConnectionClosed.IsCancellationRequested, flushed.IsCompleted));
        });
        Socket client = server.Connect();
        client.Send([1, 2, 3]);
        WaitFor(() => !server.Connections.IsEmpty, "the application never started");
        client.LingerState = new LingerOption(true, 0);
        client.Close(); // RST

        (Exception? read, bool tokenCancelled, bool flushCompleted) = await outcome.Task.WaitAsync(Bound);
        Assert.IsType<IOException>(read);
        Assert.Contains("reset", read!.Message, StringComparison.Ordinal);
        Assert.True(tokenCancelled);
        Assert.True(flushCompleted, "a flush after the close should report the output complete");
        Assert.Equal(CloseReason.Reset, server.Connections.Single().CloseReason);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Disposing_the_connection_sends_what_was_written_then_closes_gracefully(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        byte[] payload = Payload(2 << 20);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await pipe.Output.WriteAsync(payload);
            await pipe.DisposeAsync();
            await pipe.DisposeAsync(); // again: nothing more happens
            var gone = new TaskCompletionSource();
            using (pipe.ConnectionClosed.Register(gone.SetResult))
            {
                await gone.Task; // the application outlives its connection: the dispose, not its return, closed it
            }
        });
        using Socket client = server.Connect();
        Assert.True(payload.AsSpan().SequenceEqual(ReadToEnd(client)), "not everything written before the dispose arrived, or more did");
        client.Shutdown(SocketShutdown.Send);
        WaitFor(() => server.Connections.Single().CloseReason is not null, "the disposed connection never closed");
        Assert.Equal(CloseReason.Local, server.Connections.Single().CloseReason);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Abort_closes_at_once_and_drops_what_is_queued(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await pipe.Output.WriteAsync(new byte[4 << 20]);
            pipe.Abort();
            var gone = new TaskCompletionSource();
            using (pipe.ConnectionClosed.Register(gone.SetResult))
            {
                await gone.Task;
            }
        }, highWatermark: 64 * 1024);
        using Socket client = server.Connect(receiveBuffer: 4096);
        WaitFor(() => server.Connections.SingleOrDefault()?.CloseReason is not null, "the aborted connection did not close");
        Assert.Equal(CloseReason.Aborted, server.Connections.Single().CloseReason);
        Assert.InRange(ReadToEnd(client).Length, 0, (4 << 20) - 1); // the queued rest was dropped
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void An_application_that_throws_fails_its_connection_and_the_server_serves_the_next(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        int calls = 0;
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await pipe.Output.WriteAsync("about to fail"u8.ToArray());
                throw new InvalidOperationException("the protocol broke");
            }
            await pipe.Input.CopyToAsync(pipe.Output);
        });
        using (Socket failing = server.Connect())
        {
            try
            {
                ReadToEnd(failing);
            }
            catch (SocketException e)
            {
                Assert.Fail($"the failed application's connection was never closed ({e.SocketErrorCode}); loop fault: {server.Fault}");
            }
        }
        WaitFor(() => server.Server.Counters.ClosedWith(CloseReason.HandlerFailed) == 1, "the failed application was not counted as a handler failure");

        using Socket next = server.Connect();
        next.Send("ok"u8);
        Assert.Equal("ok"u8.ToArray(), ReceiveExactly(next, 2));
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Completing_the_output_with_an_exception_fails_the_connection(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var stay = new TaskCompletionSource();
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await pipe.Output.CompleteAsync(new InvalidDataException("bad frame"));
            using (pipe.ConnectionClosed.Register(stay.SetResult))
            {
                await stay.Task;
            }
        });
        using Socket client = server.Connect();
        ReadToEnd(client);
        WaitFor(() => server.Connections.SingleOrDefault()?.CloseReason is not null, "the connection did not close");
        Assert.Equal(CloseReason.HandlerFailed, server.Connections.Single().CloseReason);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Output_completed_with_an_exception_while_the_queue_is_full_fails_the_connection_when_it_drains(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var stay = new TaskCompletionSource();
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            // The connection takes all 4 MiB into its queue (far past its high watermark) and stops taking more; the
            // failure is only seen when the peer has read enough for the connection to take output again.
            await pipe.Output.WriteAsync(new byte[4 << 20]);
            await pipe.Output.CompleteAsync(new InvalidDataException("bad frame"));
            using (pipe.ConnectionClosed.Register(stay.SetResult))
            {
                await stay.Task;
            }
        }, highWatermark: 64 * 1024);
        using Socket client = server.Connect(receiveBuffer: 4096);
        ReadToEnd(client);
        WaitFor(() => server.Connections.SingleOrDefault()?.CloseReason is not null, "the connection did not close (did the loop survive?)");
        Assert.Equal(CloseReason.HandlerFailed, server.Connections.Single().CloseReason);
        Assert.Null(server.Fault);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task An_idle_timeout_fails_a_pending_read_with_the_reason(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var error = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            try
            {
                await pipe.Input.ReadAsync();
            }
            catch (IOException e)
            {
                error.SetResult(e);
            }
        }, idleTimeout: TimeSpan.FromMilliseconds(100));
        using Socket client = server.Connect();
        Exception read = await error.Task.WaitAsync(Bound);
        Assert.Contains(nameof(CloseReason.IdleTimeout), read.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task Without_half_open_the_peer_s_FIN_closes_after_the_queue_and_the_application_sees_its_output_complete(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var flushAfterFin = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            ReadResult read;
            do
            {
                read = await pipe.Input.ReadAsync();
                pipe.Input.AdvanceTo(read.Buffer.End);
            }
            while (!read.IsCompleted);
            var gone = new TaskCompletionSource();
            using (pipe.ConnectionClosed.Register(gone.SetResult))
            {
                await gone.Task;
            }
            flushAfterFin.SetResult((await pipe.Output.WriteAsync("late"u8.ToArray())).IsCompleted);
        }, allowHalfOpen: false);
        using Socket client = server.Connect();
        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(ReadToEnd(client));
        Assert.True(await flushAfterFin.Task.WaitAsync(Bound), "a write after the close should find the output complete");
        Assert.Equal(CloseReason.PeerClosed, server.Connections.Single().CloseReason);
    }

    private static byte[] Payload(int length)
    {
        byte[] payload = new byte[length];
        RandomNumberGenerator.Fill(payload);
        return payload;
    }
}
