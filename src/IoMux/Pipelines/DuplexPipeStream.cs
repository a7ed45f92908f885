using System.Buffers;
using System.IO.Pipelines;

namespace IoMux.Pipelines;

/// <summary>
/// A <see cref="Stream"/> over an <see cref="IDuplexPipe"/>, for code written against streams: <c>SslStream</c>,
/// <c>StreamReader</c>, <see cref="Stream.CopyToAsync(Stream)"/>. Reads return 0 at the peer's end of input; a write
/// the other side no longer takes (the connection closed) throws <see cref="IOException"/>; <see cref="ShutdownOutput"/>
/// half-closes (over a <see cref="PipeConnection"/>: queued bytes, then FIN); <see cref="Stream.Dispose()"/> completes both
/// directions (over a <see cref="PipeConnection"/>: a graceful close). One reader and one writer may run at once.
/// </summary>
/// <remarks>
/// <see cref="ReadTimeout"/> and <see cref="WriteTimeout"/> bound the synchronous and the asynchronous calls alike; a call
/// that runs out throws <see cref="IOException"/> around a <see cref="TimeoutException"/> and leaves the stream usable.
/// Cancelling a call's token throws <see cref="OperationCanceledException"/> and leaves the stream usable too; bytes a
/// cancelled write had handed over are still sent.
/// </remarks>
public sealed class DuplexPipeStream : Stream
{
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly EventLoop? _loop;
    private int _readTimeout = Timeout.Infinite;
    private int _writeTimeout = Timeout.Infinite;
    private bool _outputShut;
    private bool _disposed;

    /// <summary>A stream reading <paramref name="pipe"/>'s input and writing its output.</summary>
    /// <param name="pipe">The pipe; the stream completes both of its ends when disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pipe"/> is <see langword="null"/>.</exception>
    public DuplexPipeStream(IDuplexPipe pipe)
        : this(pipe, loop: null)
    {
    }

    /// <summary>A stream whose blocking calls refuse to run on <paramref name="loop"/>'s thread, which they would stop.</summary>
    internal DuplexPipeStream(IDuplexPipe pipe, EventLoop? loop)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        _reader = pipe.Input;
        _writer = pipe.Output;
        _loop = loop;
    }

    /// <inheritdoc/>
    public override bool CanRead => !_disposed;

    /// <inheritdoc/>
    public override bool CanWrite => !_disposed && !_outputShut;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanTimeout => true;

    /// <summary>Milliseconds a read may wait for bytes (<see cref="Timeout.Infinite"/>, the default: no limit).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Timeout.Infinite"/>.</exception>
    public override int ReadTimeout
    {
        get => _readTimeout;
        set => _readTimeout = CheckTimeout(value);
    }

    /// <summary>Milliseconds a write may wait for the other side to take it (<see cref="Timeout.Infinite"/>, the default: no limit).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor <see cref="Timeout.Infinite"/>.</exception>
    public override int WriteTimeout
    {
        get => _writeTimeout;
        set => _writeTimeout = CheckTimeout(value);
    }

    /// <summary>Not supported: a connection has no length.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Length => throw new NotSupportedException("a connection stream has no length");

    /// <summary>Not supported: a connection has no position.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Position
    {
        get => throw new NotSupportedException("a connection stream has no position");
        set => throw new NotSupportedException("a connection stream cannot seek");
    }

    /// <inheritdoc/>
#pragma warning disable RS0027 // The optional token is Stream's own signature, overridden, not an overload this library added.
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
#pragma warning restore RS0027
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using CancellationTokenSource? timer = Timer(_readTimeout, cancellationToken, out CancellationToken token);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer is not null && timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut("read", _readTimeout);
            }
            ReadOnlySequence<byte> data = result.Buffer;
            if (!data.IsEmpty)
            {
                int count = (int)Math.Min(buffer.Length, data.Length);
                ReadOnlySequence<byte> taken = data.Slice(0, count);
                taken.CopyTo(buffer.Span);
                _reader.AdvanceTo(taken.End);
                return count;
            }
            _reader.AdvanceTo(data.End);
            if (result.IsCompleted)
            {
                return 0;
            }
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("the pending read was cancelled (PipeReader.CancelPendingRead)");
            }
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        ThrowIfOnLoop();
        byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n = Block(ReadAsync(rented.AsMemory(0, buffer.Length)));
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ThrowIfOnLoop();
        return Block(ReadAsync(buffer.AsMemory(offset, count)));
    }

    /// <inheritdoc/>
#pragma warning disable RS0027 // The optional token is Stream's own signature, overridden, not an overload this library added.
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
#pragma warning restore RS0027
    {
        ThrowIfCannotWrite();
        using CancellationTokenSource? timer = Timer(_writeTimeout, cancellationToken, out CancellationToken token);
        FlushResult result;
        try
        {
            result = await _writer.WriteAsync(buffer, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer is not null && timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("write", _writeTimeout);
        }
        ThrowIfRefused(result);
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfOnLoop();
        ThrowIfCannotWrite();
        _writer.Write(buffer);
        Block(FlushAsync(CancellationToken.None));
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Waits until the other side has taken what was written (the connection: its write queue is below its limit).</summary>
    /// <param name="cancellationToken">Ends the wait; what was written is still sent.</param>
    /// <returns>A task that completes when the other side has taken the bytes.</returns>
    /// <exception cref="IOException">The other side no longer takes output, or <see cref="WriteTimeout"/> ran out.</exception>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfCannotWrite();
        using CancellationTokenSource? timer = Timer(_writeTimeout, cancellationToken, out CancellationToken token);
        FlushResult result;
        try
        {
            result = await _writer.FlushAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer is not null && timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("flush", _writeTimeout);
        }
        ThrowIfRefused(result);
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        if (!_disposed && !_outputShut)
        {
            ThrowIfOnLoop();
            Block(FlushAsync(CancellationToken.None));
        }
    }

    /// <summary>
    /// Ends this side's output after what was written (over a <see cref="PipeConnection"/>: the queued bytes, then FIN);
    /// reading goes on until the peer's end. Over TLS, shut the <c>SslStream</c> down first (its close_notify), then this.
    /// Calling it again does nothing.
    /// </summary>
    public void ShutdownOutput()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_outputShut)
        {
            return;
        }
        _outputShut = true;
        _writer.Complete();
    }

    /// <inheritdoc/>
    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _reader.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Not supported: a connection cannot seek.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a connection stream cannot seek");

    /// <summary>Not supported: a connection has no length.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void SetLength(long value) => throw new NotSupportedException("a connection stream has no length");

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _reader.CompleteAsync().ConfigureAwait(false);
        if (!_outputShut)
        {
            _outputShut = true;
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _reader.Complete();
            if (!_outputShut)
            {
                _outputShut = true;
                _writer.Complete();
            }
        }
        base.Dispose(disposing);
    }

    private static int CheckTimeout(int milliseconds)
    {
        if (milliseconds <= 0 && milliseconds != Timeout.Infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "a stream timeout is a positive number of milliseconds, or Timeout.Infinite");
        }
        return milliseconds;
    }

    private static CancellationTokenSource? Timer(int milliseconds, CancellationToken cancellationToken, out CancellationToken token)
    {
        if (milliseconds == Timeout.Infinite)
        {
            token = cancellationToken;
            return null;
        }
        CancellationTokenSource timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(milliseconds);
        token = timer.Token;
        return timer;
    }

    private static IOException TimedOut(string operation, int milliseconds) =>
        new($"the connection stream's {operation} timed out after {milliseconds} ms", new TimeoutException());

    private static void ThrowIfRefused(FlushResult result)
    {
        if (result.IsCompleted)
        {
            throw new IOException("the connection no longer takes output (it closed, or the peer reset it)");
        }
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the pending flush was cancelled (PipeWriter.CancelPendingFlush)");
        }
    }

    private void ThrowIfCannotWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_outputShut)
        {
            throw new IOException("the connection stream's output was shut down; no more can be written");
        }
    }

    private static T Block<T>(ValueTask<T> pending) =>
        pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();

    private static void Block(Task pending) => pending.GetAwaiter().GetResult();

    private void ThrowIfOnLoop()
    {
        if (_loop is { IsLoopThread: true })
        {
            throw new InvalidOperationException($"a blocking call on the connection stream would stop {_loop.Name}, which must deliver its bytes; use the async call, or run the application off the loop (the default)");
        }
    }
}
