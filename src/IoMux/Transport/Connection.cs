using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// One stream connection on one event loop, as a protocol sees it: write bytes, close gracefully or abort,
/// keep state. The same connection serves either I/O model — readiness (select, poll, epoll, io_uring polls) or
/// completion (io_uring) — so one <see cref="IConnectionHandler"/> runs on both, with the same behaviour and
/// the same close timing. Loop thread only: from elsewhere, <see cref="EventLoop.Post"/> to <see cref="Loop"/>.
/// </summary>
/// <remarks>
/// A close asked for while a handler callback runs (<see cref="Abort"/>, a failed <see cref="Write"/>, the
/// handler throwing) takes effect when that callback returns, so a handler is never told
/// <see cref="IConnectionHandler.OnClosed"/> from inside one of its own calls; a close from anywhere else (a
/// timer, a posted action, the server stopping) takes effect at once.
/// </remarks>
public sealed partial class Connection
{
    private readonly ConnectionDriver _driver;
    private readonly ConnectionSettings _settings;
    private readonly IConnectionOwner _owner;
    private readonly WriteQueue _queue;
    private readonly ITransportTrace? _trace; // the settings' own, kept here: asked on every read and write

    internal Connection(EventLoop loop, long id, ConnectionDriver driver, ConnectionSettings settings, IConnectionOwner owner, SegmentPool segments)
    {
        Loop = loop;
        Id = id;
        Fd = driver.Fd;
        _driver = driver;
        _settings = settings;
        _trace = settings.Trace;
        _owner = owner;
        _queue = new WriteQueue(segments, settings.HighWatermark, settings.LowWatermark);
        driver.Bind(this);
    }

    /// <summary>A number unique within the server, in accept order.</summary>
    public long Id { get; }

    /// <summary>The socket's descriptor number, for traces; once closed, the number may name another descriptor.</summary>
    public int Fd { get; }

    /// <summary>The loop this connection lives on.</summary>
    public EventLoop Loop { get; }

    /// <summary>Whatever the handler wants to keep with the connection; the transport never reads it.</summary>
    public object? UserState { get; set; }

    /// <summary>Bytes accepted by <see cref="Write"/> and not yet taken by the kernel.</summary>
    public int QueuedBytes => _queue.Length;

    /// <summary>True while reading is paused: by the handler (<see cref="PauseReading"/>), or because queued output passed its high watermark (<see cref="ConnectionOptions.PauseReadingWhileBlocked"/>).</summary>
    public bool IsReadPaused => _holds != ReadHolds.None;

    /// <summary>True from the moment queued output passes its high watermark until it drains to the low one (<see cref="IConnectionHandler.OnWriteBlocked"/> to <see cref="IConnectionHandler.OnWritable"/>).</summary>
    public bool IsOutputBlocked => _queue.IsOverHighWatermark;

    /// <summary>True once the peer's FIN arrived: no more bytes will be received.</summary>
    public bool IsInputEnded => _inputEnded;

    /// <summary>True once <see cref="ShutdownOutput"/> was called: nothing more may be written, and FIN follows what was queued.</summary>
    public bool IsOutputShut => _outputShut;

    /// <summary>True once the connection closed and its handler was told.</summary>
    public bool IsClosed => _state == ConnectionState.Closed;

    /// <summary>Why the connection closed (meaningful once <see cref="IsClosed"/>).</summary>
    public CloseReason CloseReason { get; private set; }

    /// <summary>The errno that ended the connection (<see cref="CloseReason.Reset"/> or <see cref="CloseReason.Error"/>), or <see langword="null"/>.</summary>
    public Errno? Error { get; private set; }

    /// <summary>The exception a handler threw, when that is what ended the connection.</summary>
    public Exception? HandlerException { get; private set; }

    /// <summary>
    /// Sends <paramref name="data"/>, copying whatever the kernel does not take at once; the copy is queued and
    /// sent in order. Returns false (and sends nothing) when the connection is closed or closing, or when the
    /// copy would take the queue past <see cref="ConnectionOptions.MaxQueuedBytes"/>: the connection is then
    /// aborted with <see cref="CloseReason.WriteLimitExceeded"/> (a peer that does not read cannot grow memory
    /// without bound).
    /// </summary>
    /// <param name="data">The bytes to send; copied as needed, so the caller may reuse the span at once.</param>
    /// <returns><see langword="true"/> when the bytes were sent or queued; <see langword="false"/> when nothing was.</returns>
    public bool Write(ReadOnlySpan<byte> data)
    {
        if (_state is not (ConnectionState.Open or ConnectionState.InputEnded) || _pendingClose is not null || _outputShut)
        {
            return false;
        }
        if (data.IsEmpty)
        {
            return true;
        }
        if (_queue.IsEmpty)
        {
            int sent = _driver.SendNow(data);
            if (sent < 0)
            {
                return false;
            }
            if (sent > 0)
            {
                NoteActivity();
                TransportMetrics.Sent(sent);
                _trace?.Wrote(this, sent, data.Length - sent);
                data = data[sent..];
            }
            if (data.IsEmpty)
            {
                return true;
            }
        }
        if ((long)_queue.Length + data.Length > _settings.MaxQueuedBytes)
        {
            RequestClose(CloseReason.WriteLimitExceeded);
            return false;
        }
        if (_queue.IsEmpty)
        {
            StartWriteTimer();
        }
        if (_driver.Enqueue(_queue, data))
        {
            if (_settings.PauseReadingWhileBlocked)
            {
                Hold(ReadHolds.Watermark);
            }
            BecameBlocked();
        }
        _driver.SendQueued();
        return true;
    }

    /// <summary>
    /// Stops receiving until <see cref="ResumeReading"/>, for the handler's own reasons (a consumer that is busy, a
    /// peer on the other side of a proxy that does not read). Composed with the watermark pause: reading resumes
    /// only when neither holds it. Bytes the kernel already delivered may still arrive in the current turn's
    /// callback; none after it returns. Does nothing on a closed connection or when already paused.
    /// </summary>
    public void PauseReading()
    {
        if (_state != ConnectionState.Closed)
        {
            Hold(ReadHolds.Handler);
        }
    }

    /// <summary>Lifts the handler's pause; reading resumes unless queued output still holds it above the watermark.</summary>
    public void ResumeReading()
    {
        if (_state != ConnectionState.Closed)
        {
            Unhold(ReadHolds.Handler);
        }
    }

    /// <summary>
    /// Half-closes: sends what is queued, then FIN; reading continues (the peer may go on sending). Once the peer's
    /// FIN has arrived too, the connection closes (<see cref="CloseReason.Local"/> when this end shut first,
    /// <see cref="CloseReason.PeerClosed"/> when the peer did). <see cref="Write"/> returns false afterwards.
    /// Does nothing when already shut, closing or closed.
    /// </summary>
    public void ShutdownOutput()
    {
        if (_state is not (ConnectionState.Open or ConnectionState.InputEnded) || _outputShut || _pendingClose is not null)
        {
            return;
        }
        _outputShut = true;
        if (_queue.IsEmpty)
        {
            SendFin();
        }
    }

    /// <summary>
    /// Stops reading, sends what is queued, sends FIN, and closes at the peer's EOF or after
    /// <see cref="ConnectionOptions.LingerTimeout"/> (reason <see cref="CloseReason.Local"/>). Closing a connection
    /// already closing or closed does nothing.
    /// </summary>
    public void Close() => BeginClose(CloseReason.Local);

    /// <summary>
    /// Closes at once, dropping queued output (reason <see cref="CloseReason.Aborted"/>); from inside a handler callback,
    /// when that callback returns. Aborting a closed connection does nothing.
    /// </summary>
    public void Abort() => RequestClose(CloseReason.Aborted);

    /// <summary>
    /// Like <see cref="Abort"/>, but the peer is sent RST instead of FIN (SO_LINGER with a zero timeout), so it sees
    /// ECONNRESET rather than an orderly end: what a proxy passes on when the other side was reset. Resetting a
    /// closed connection does nothing.
    /// </summary>
    public void Reset()
    {
        if (_state == ConnectionState.Closed)
        {
            return;
        }
        try
        {
            SocketTuning.ResetOnClose(Fd);
        }
        catch (SyscallException)
        {
            // The socket is already broken: closing it is all that is left, and it ends the connection either way.
        }
        RequestClose(CloseReason.Aborted);
    }

    /// <summary>Sets <paramref name="options"/> on this connection's socket (over what its listener or connector set).</summary>
    /// <param name="options">The options; TCP ones are skipped on a Unix socket.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="SyscallException">The kernel refused an option (the message names it), or the connection is closed (EBADF).</exception>
    public void SetSocketOptions(SocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (_state == ConnectionState.Closed)
        {
            throw new SyscallException("setsockopt", Errno.EBADF, Fd);
        }
        options.ApplyTo(Fd);
    }

    /// <inheritdoc/>
    public override string ToString() => $"connection {Id} (fd {Fd})";
}
