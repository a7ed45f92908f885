using System.IO.Pipelines;
using System.Text;
using IoMux.Pipelines;

namespace IoMux.Tests.Pipelines;

/// <summary>The stream's own contract, over two in-memory pipes standing for the two directions of a connection.</summary>
public sealed class DuplexPipeStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Reads_return_what_the_other_side_wrote_and_zero_at_its_end()
    {
        var (stream, peer) = Pair();
        await peer.Output.WriteAsync("hello"u8.ToArray());
        await peer.Output.CompleteAsync();

        byte[] buffer = new byte[3];
        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal("hel"u8.ToArray(), buffer);
        Assert.Equal(2, await stream.ReadAsync(buffer));
        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal(0, stream.Read(buffer));
    }

    [Fact]
    public async Task A_StreamReader_reads_lines_and_a_StreamWriter_writes_them()
    {
        var (stream, peer) = Pair();
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        using var writer = new StreamWriter(stream, leaveOpen: true) { AutoFlush = true };
        await peer.Output.WriteAsync("one\ntwo\n"u8.ToArray());
        Assert.Equal("one", await reader.ReadLineAsync());
        Assert.Equal("two", reader.ReadLine());
        await writer.WriteLineAsync("three");

        ReadResult result = await peer.Input.ReadAsync();
        Assert.Equal("three\n", Encoding.UTF8.GetString(result.Buffer));
    }

    [Fact]
    public async Task CopyToAsync_moves_everything_until_the_end()
    {
        var (stream, peer) = Pair();
        byte[] payload = new byte[3 << 20];
        new Random(7).NextBytes(payload);
        Task writing = Task.Run(async () =>
        {
            for (int at = 0; at < payload.Length; at += 100_000)
            {
                await peer.Output.WriteAsync(payload.AsMemory(at, Math.Min(100_000, payload.Length - at)));
            }
            await peer.Output.CompleteAsync();
        });
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy).WaitAsync(Bound);
        await writing;
        Assert.Equal(payload, copy.ToArray());
    }

    [Fact]
    public async Task An_error_from_the_other_side_surfaces_as_that_exception()
    {
        var (stream, peer) = Pair();
        await peer.Output.CompleteAsync(new IOException("connection reset by peer"));
        IOException error = await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(new byte[1]).AsTask());
        Assert.Equal("connection reset by peer", error.Message);
    }

    [Fact]
    public async Task A_read_timeout_throws_IOException_and_the_stream_still_reads()
    {
        var (stream, peer) = Pair();
        stream.ReadTimeout = 50;
        IOException timedOut = await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(new byte[1]).AsTask());
        Assert.IsType<TimeoutException>(timedOut.InnerException);
        Assert.Throws<IOException>(() => stream.Read(new byte[1]));

        await peer.Output.WriteAsync(new byte[] { 9 });
        byte[] one = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(one));
        Assert.Equal(9, one[0]);
    }

    [Fact]
    public async Task A_cancelled_read_throws_and_the_stream_still_reads()
    {
        var (stream, peer) = Pair();
        using var cancel = new CancellationTokenSource();
        ValueTask<int> pending = stream.ReadAsync(new byte[1], cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());

        await peer.Output.WriteAsync(new byte[] { 5 });
        Assert.Equal(1, await stream.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task A_write_the_other_side_does_not_take_waits_and_times_out()
    {
        var (stream, peer) = Pair(pauseAt: 1024);
        stream.WriteTimeout = 50;
        IOException timedOut = await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(new byte[4096]).AsTask());
        Assert.IsType<TimeoutException>(timedOut.InnerException);

        // What the timed-out write handed over is still delivered.
        ReadResult result = await peer.Input.ReadAsync();
        Assert.Equal(4096, result.Buffer.Length);
        peer.Input.AdvanceTo(result.Buffer.End);
    }

    [Fact]
    public async Task A_write_after_the_other_side_stopped_taking_output_throws_IOException()
    {
        var (stream, peer) = Pair();
        await peer.Input.CompleteAsync();
        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(new byte[1]).AsTask());
        Assert.Throws<IOException>(() => stream.Write(new byte[1]));
    }

    [Fact]
    public async Task ShutdownOutput_ends_this_direction_after_what_was_written_and_reading_goes_on()
    {
        var (stream, peer) = Pair();
        await stream.WriteAsync("last"u8.ToArray());
        stream.ShutdownOutput();
        Assert.False(stream.CanWrite);
        await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync(new byte[1]).AsTask());

        ReadResult result = await peer.Input.ReadAsync();
        Assert.Equal("last", Encoding.ASCII.GetString(result.Buffer));
        peer.Input.AdvanceTo(result.Buffer.End);
        result = await peer.Input.ReadAsync();
        Assert.True(result.IsCompleted);

        await peer.Output.WriteAsync("reply"u8.ToArray());
        Assert.Equal(5, await stream.ReadAsync(new byte[16]));
    }

    [Fact]
    public async Task Dispose_completes_both_directions()
    {
        var (stream, peer) = Pair();
        await stream.DisposeAsync();
        ReadResult result = await peer.Input.ReadAsync();
        Assert.True(result.IsCompleted);
        FlushResult flush = await peer.Output.WriteAsync(new byte[1]);
        Assert.True(flush.IsCompleted, "the disposed stream's reader should be complete");
        Assert.False(stream.CanRead);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[1]).AsTask());
    }

    [Fact]
    public void A_connection_stream_has_no_length_or_position()
    {
        var (stream, _) = Pair();
        Assert.False(stream.CanSeek);
        Assert.True(stream.CanTimeout);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.ReadTimeout = 0);
    }

    /// <summary>The stream over one end of two pipes, and the other end for the test to drive.</summary>
    private static (DuplexPipeStream Stream, IDuplexPipe Peer) Pair(long pauseAt = 65536)
    {
        var options = new PipeOptions(pauseWriterThreshold: pauseAt, resumeWriterThreshold: pauseAt / 2, useSynchronizationContext: false);
        var toStream = new Pipe(options);
        var fromStream = new Pipe(options);
        return (new DuplexPipeStream(new Duplex(toStream.Reader, fromStream.Writer)), new Duplex(fromStream.Reader, toStream.Writer));
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
