using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using IoMux.Transport;

namespace IoMux.Pipelines;

// The pipes' ValueTasks are driven by hand — a continuation through the awaiter, the result taken once it completed —
// so a read or a flush costs no async state machine on the loop.
#pragma warning disable CA2012

/// <summary>
/// The loop's side of a <see cref="PipeConnection"/>: a connection handler that writes received bytes into the input
/// pipe and drains the output pipe into the connection's write queue. Everything here runs on the loop thread (pipe
/// continuations come back through the loop's <see cref="LoopPipeScheduler"/>); the application's side of the pipes is
/// used from wherever the application runs.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The face is the application's to dispose; the connection's close completes everything the handler holds.")]
internal sealed class ConnectionPipes : IConnectionHandler
{
    private readonly Func<PipeConnection, CancellationToken, Task>? _application;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly bool _inline;
    private readonly LoopPipeScheduler _scheduler;
    private readonly Action _onFlushed;
    private readonly Action _onReadable;
    private readonly Action _onApplicationEnded;
    private readonly Action _abort;
    private Connection _connection = null!;
    private PipeConnection _face = null!;
    private ValueTask<FlushResult> _pendingFlush;
    private ValueTask<ReadResult> _pendingRead;
    private Exception? _applicationError;
    private bool _held;
    private bool _flushPending;
    private bool _unflushed;
    private bool _consuming;
    private bool _waitingWritable;
    private bool _inputDone;
    private bool _outputDone;
    private bool _closed;
    private bool _closeReported;
    private CloseReason _closeReason;
    private volatile bool _applicationEnded;
    private int _ending;

    /// <param name="loop">The connection's loop.</param>
    /// <param name="application">Started once the connection opens; <see langword="null"/> for a client, whose code holds <see cref="Face"/> instead.</param>
    /// <param name="options">The pipes' thresholds and scheduling.</param>
    public ConnectionPipes(EventLoop loop, Func<PipeConnection, CancellationToken, Task>? application, PipeConnectionOptions options)
    {
        _application = application;
        _inline = options.RunApplicationInline;
        LoopPipeScheduler onLoop = _scheduler = LoopPipeScheduler.For(loop);
        PipeScheduler onApplication = _inline ? PipeScheduler.Inline : PipeScheduler.ThreadPool;
        _input = new Pipe(new PipeOptions(options.Pool, readerScheduler: onApplication, writerScheduler: onLoop,
            pauseWriterThreshold: options.InputPauseThreshold, resumeWriterThreshold: options.InputPauseThreshold / 2,
            minimumSegmentSize: options.MinimumSegmentSize, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(options.Pool, readerScheduler: onLoop, writerScheduler: onApplication,
            pauseWriterThreshold: options.OutputPauseThreshold, resumeWriterThreshold: options.OutputPauseThreshold / 2,
            minimumSegmentSize: options.MinimumSegmentSize, useSynchronizationContext: false));
        _onFlushed = OnFlushed;
        _onReadable = OnReadable;
        _onApplicationEnded = OnApplicationEnded;
        _abort = AbortOnLoop;
    }

    public Connection Connection => _connection;

    /// <summary>The application's face of the connection, once it opened.</summary>
    public PipeConnection Face => _face;

    public PipeReader ApplicationInput => _input.Reader;

    public PipeWriter ApplicationOutput => _output.Writer;

    public void OnConnected(Connection connection)
    {
        _connection = connection;
        // Asked once, on the loop, while the descriptor is surely this connection's: the application reads them from any thread.
        _face = new PipeConnection(this, connection.Id, connection.Loop, Native.Sockets.LocalEndPoint(connection.Fd), Native.Sockets.RemoteEndPoint(connection.Fd));
        PumpOutput();
        if (_application is null)
        {
            return; // a client's: the code that connected uses the pipes
        }
        if (_inline)
        {
            _ = RunApplicationAsync();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static pipes => _ = pipes.RunApplicationAsync(), this, preferLocal: false);
        }
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data)
    {
        if (_inputDone)
        {
            return; // the application completed its input: what still arrives is not wanted
        }
        _input.Writer.Write(data);
        if (_flushPending)
        {
            _unflushed = true; // delivered in the same turn as the pause: flushed when the application catches up
            return;
        }
        if (!_inline)
        {
            Flush();
            return;
        }
        // The application runs inside this flush; what it writes is pumped before the turn ends, not after a wake-up.
        _scheduler.BeginBatch();
        try
        {
            Flush();
        }
        finally
        {
            _scheduler.EndBatch();
        }
    }

    public void OnInputEnded(Connection connection) => EndInput(error: null);

    public void OnWritable(Connection connection)
    {
        if (_waitingWritable)
        {
            _waitingWritable = false;
            PumpOutput();
        }
    }

    public void OnClosed(Connection connection, CloseReason reason)
    {
        _closed = true;
        _closeReason = reason; // before EndInput: an inline application may complete its output from inside it
        EndInput(reason switch
        {
            CloseReason.PeerClosed or CloseReason.Local => null,
            CloseReason.Reset => new IOException($"{connection} was reset by the peer{(connection.Error is { } errno ? $" ({errno})" : "")}"),
            CloseReason.Error => new IOException($"{connection} failed: {connection.Error}"),
            _ => new IOException($"{connection} was closed: {reason}"),
        });
        if (!_consuming)
        {
            // Even with a read of the output pending (its continuation then finds the output done): the reader is
            // completed before the face cancels ConnectionClosed, so a write the application makes on that news
            // always finds its output complete.
            CompleteOutput();
        }
    }

    /// <summary>Any thread.</summary>
    public void Abort()
    {
        try
        {
            _connection.Loop.Post(_abort);
        }
        catch (ObjectDisposedException)
        {
            // The loop is gone, and every connection on it closed with it.
        }
    }

    private void AbortOnLoop()
    {
        if (!_closed)
        {
            _connection.Abort();
        }
    }

    private void Flush()
    {
        ValueTask<FlushResult> flush;
        try
        {
            flush = _input.Writer.FlushAsync();
        }
#pragma warning disable CA1031 // The application completed its input with an exception: it fails the connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            InputFailed(e);
            return;
        }
        if (flush.IsCompleted)
        {
            Flushed(flush);
            return;
        }
        // The application has not consumed what it holds: stop reading the socket until it has.
        _flushPending = true;
        Hold();
        _pendingFlush = flush;
        flush.GetAwaiter().UnsafeOnCompleted(_onFlushed);
    }

    private void OnFlushed()
    {
        ValueTask<FlushResult> flush = _pendingFlush;
        _pendingFlush = default;
        _flushPending = false;
        if (_closed)
        {
            return;
        }
        if (!Flushed(flush))
        {
            return;
        }
        if (_held)
        {
            _held = false;
            _connection.ResumeReading();
        }
        if (_unflushed)
        {
            _unflushed = false;
            Flush();
        }
    }

    /// <summary>False when the application completed its input: reading stays paused for good.</summary>
    private bool Flushed(ValueTask<FlushResult> flush)
    {
        FlushResult result;
        try
        {
            result = flush.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // The application completed its input with an exception: it fails the connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            InputFailed(e);
            return false;
        }
        if (!result.IsCompleted)
        {
            return true;
        }
        _inputDone = true;
        _input.Writer.Complete();
        Hold();
        return false;
    }

    private void InputFailed(Exception e)
    {
        _inputDone = true;
        _input.Writer.Complete();
        Hold();
        _connection.Fail(e);
    }

    private void Hold()
    {
        if (!_held)
        {
            _held = true;
            _connection.PauseReading();
        }
    }

    private void EndInput(Exception? error)
    {
        if (_inputDone)
        {
            return;
        }
        _inputDone = true;
        _input.Writer.Complete(error);
    }

    /// <summary>Moves what the application wrote into the connection until the pipe is empty, the queue is full, or either end is done.</summary>
    private void PumpOutput()
    {
        while (!_closed && !_outputDone)
        {
            if (_connection.IsOutputBlocked)
            {
                _waitingWritable = true; // OnWritable resumes at the low watermark
                return;
            }
            ValueTask<ReadResult> read;
            try
            {
                read = _output.Reader.ReadAsync();
            }
#pragma warning disable CA1031 // A writer completed with an exception throws here, at once: it fails the connection, never the loop.
            catch (Exception e)
#pragma warning restore CA1031
            {
                OutputFailed(e);
                return;
            }
            if (!read.IsCompleted)
            {
                _pendingRead = read;
                read.GetAwaiter().UnsafeOnCompleted(_onReadable);
                return;
            }
            if (!Consume(read))
            {
                return;
            }
        }
    }

    private void OnReadable()
    {
        ValueTask<ReadResult> read = _pendingRead;
        _pendingRead = default;
        if (_outputDone)
        {
            return; // completed while this read waited (the close): its result is not wanted, and the reader takes no more calls
        }
        if (Consume(read))
        {
            PumpOutput();
        }
    }

    /// <summary>Writes one read's bytes into the connection; false when the output side is finished.</summary>
    private bool Consume(ValueTask<ReadResult> read)
    {
        ReadResult result;
        try
        {
            result = read.GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // Whatever the application completed its output with fails the connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            OutputFailed(e);
            return false;
        }
        if (_closed)
        {
            _output.Reader.AdvanceTo(result.Buffer.Start);
            CompleteOutput();
            return false;
        }
        ReadOnlySequence<byte> buffer = result.Buffer;
        _consuming = true;
        bool taken = true;
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (!_connection.Write(segment.Span))
            {
                taken = false; // closing, closed, or past the queue limit (which closed it)
                break;
            }
        }
        _consuming = false;
        _output.Reader.AdvanceTo(buffer.End);
        if (!taken || _closed)
        {
            CompleteOutput();
            return false;
        }
        if (result.IsCompleted)
        {
            CompleteOutput();
            OutputEnded();
            return false;
        }
        return true;
    }

    /// <summary>The application completed its output with an exception: the connection fails with it.</summary>
    private void OutputFailed(Exception e)
    {
        CompleteOutput();
        _connection.Fail(e);
    }

    /// <summary>Completes the output pipe's reader; once the connection closed, then tells the face (which cancels <see cref="PipeConnection.ConnectionClosed"/>).</summary>
    private void CompleteOutput()
    {
        if (!_outputDone)
        {
            _outputDone = true;
            _output.Reader.Complete();
        }
        if (_closed && !_closeReported)
        {
            _closeReported = true;
            _face.Closed(_closeReason);
        }
    }

    /// <summary>
    /// The application completed its output: once it has also returned (or the peer already ended its input) that is a
    /// graceful close; before, a half-close, so the application can go on reading.
    /// </summary>
    private void OutputEnded()
    {
        if (_applicationEnded || _connection.IsInputEnded)
        {
            _connection.Close();
        }
        else
        {
            _connection.ShutdownOutput();
        }
    }

    private async Task RunApplicationAsync()
    {
        Exception? error = null;
        try
        {
            await _application!(_face, _face.ConnectionClosed).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An application's failure ends its connection, never the server.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }
        await EndApplicationAsync(error).ConfigureAwait(false);
    }

    /// <summary>
    /// The application is done with the connection (returned, threw, or disposed its <see cref="PipeConnection"/>): its
    /// ends of both pipes complete, and the loop closes the connection — gracefully after what was written, or at once
    /// on a failure. Any thread; only the first call counts.
    /// </summary>
    public async ValueTask EndApplicationAsync(Exception? error)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            if (error is not null)
            {
                _applicationError = error; // disposed, then threw: the failure still closes the connection
                PostApplicationEnded();
            }
            return;
        }
        _applicationError = error;
        _applicationEnded = true;
        await _input.Reader.CompleteAsync().ConfigureAwait(false);
        await _output.Writer.CompleteAsync(error).ConfigureAwait(false);
        PostApplicationEnded();
    }

    private void PostApplicationEnded()
    {
        try
        {
            _connection.Loop.Post(_onApplicationEnded);
        }
        catch (ObjectDisposedException)
        {
            // The loop is gone, and the connection closed with it.
        }
    }

    /// <summary>
    /// The application returned or threw. A failure closes at once; a return closes gracefully once the output pump has
    /// sent the rest (it sees the completed pipe and closes), or now if the pump already finished.
    /// </summary>
    private void OnApplicationEnded()
    {
        if (_closed)
        {
            return;
        }
        if (_applicationError is { } error)
        {
            _connection.Fail(error);
        }
        else if (_outputDone)
        {
            _connection.Close();
        }
    }
}
