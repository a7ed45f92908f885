using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// One TCP connection on one event loop, as a protocol sees it: write bytes, close gracefully or abort,
/// keep state. How the bytes move — readiness (select, poll, epoll) or completion (io_uring) — is the
/// concrete transport's business, so one <see cref="IConnectionHandler"/> serves either. Loop thread only:
/// from elsewhere, <see cref="EventLoop.Post"/> to <see cref="Loop"/>.
/// </summary>
public abstract class Connection
{
    private protected Connection(EventLoop loop, int fd, long id)
    {
        Loop = loop;
        Fd = fd;
        Id = id;
    }

    /// <summary>A number unique within the server, in accept order.</summary>
    public long Id { get; }

    /// <summary>The socket's descriptor number (kept for traces after close).</summary>
    public int Fd { get; }

    /// <summary>The loop this connection lives on.</summary>
    public EventLoop Loop { get; }

    /// <summary>Whatever the handler wants to keep with the connection.</summary>
    public object? UserState { get; set; }

    /// <summary>Bytes accepted by <see cref="Write"/> and not yet handed to the kernel.</summary>
    public abstract int QueuedBytes { get; }

    /// <summary>True while reading is paused because queued output passed its high watermark.</summary>
    public abstract bool IsReadPaused { get; }

    public bool IsClosed { get; private set; }

    /// <summary>Why the connection closed (meaningful once <see cref="IsClosed"/>).</summary>
    public CloseReason CloseReason { get; private set; }

    /// <summary>The errno that ended the connection, if one did.</summary>
    public Errno? Error { get; private set; }

    /// <summary>The exception a handler threw, when that is what ended the connection.</summary>
    public Exception? HandlerException { get; private set; }

    /// <summary>
    /// Sends <paramref name="data"/>, copying whatever cannot go to the kernel at once; the copy is queued and
    /// sent in order. Returns false (and sends nothing) when the connection is closed or closing.
    /// </summary>
    public abstract bool Write(ReadOnlySpan<byte> data);

    /// <summary>
    /// Stops reading, sends what is queued, sends FIN, and closes at the peer's EOF or after
    /// <see cref="TcpServerOptions.LingerTimeout"/> (reason <see cref="CloseReason.Local"/>).
    /// </summary>
    public abstract void Close();

    /// <summary>Closes at once, dropping queued output (reason <see cref="CloseReason.Aborted"/>).</summary>
    public abstract void Abort();

    public override string ToString() => $"connection {Id} (fd {Fd})";

    private protected void MarkClosed(CloseReason reason)
    {
        IsClosed = true;
        CloseReason = reason;
    }

    private protected void SetError(Errno errno) => Error = errno;

    private protected void SetHandlerException(Exception e) => HandlerException ??= e;
}
