using System.IO.Pipelines;
using System.Net;
using IoMux.Transport;

namespace IoMux.Pipelines;

/// <summary>
/// A connection as an <see cref="IDuplexPipe"/>, for protocols written against <see cref="PipeReader"/> and
/// <see cref="PipeWriter"/> (or, through <see cref="AsStream"/>, against <see cref="Stream"/>). Unlike
/// <see cref="Connection"/>, it may be used from any thread: the pipes carry the bytes to and from the loop.
/// </summary>
/// <remarks>
/// <para>What the application does, and what the connection does about it (as Kestrel's Sockets transport maps them, with a
/// half-close where Kestrel closes the socket):</para>
/// <list type="table">
/// <item><term><c>Output.Complete()</c></term><description>What was written is sent, then FIN; reading goes on (a half-close) when the
/// connection allows half-open connections, else it closes gracefully.</description></item>
/// <item><term><c>Output.Complete(exception)</c>, or the application throws</term><description>The connection is closed at once,
/// dropping what is queued (<see cref="CloseReason.HandlerFailed"/>, logged like a handler's exception).</description></item>
/// <item><term><c>Input.Complete()</c></term><description>The socket is read no more.</description></item>
/// <item><term>the application returns</term><description>Both pipes are completed: what was written is sent, then a graceful
/// close (FIN, waiting for the peer's).</description></item>
/// <item><term><see cref="Abort"/></term><description>Closed at once, queued output dropped (<see cref="CloseReason.Aborted"/>).</description></item>
/// </list>
/// <para>And what the peer or the server does, as the application sees it: the peer's FIN completes <see cref="Input"/> (a
/// read returns <see cref="ReadResult.IsCompleted"/>); a reset, an idle or write timeout, the server stopping or any other
/// close makes a read throw <see cref="IOException"/> naming the reason (unless the input had already ended), makes
/// <c>FlushAsync</c> return <see cref="FlushResult.IsCompleted"/>, and cancels <see cref="ConnectionClosed"/>. Nothing is
/// read from or written to the socket after the connection closed.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source has no timer and is cancelled once, at the close; the application may hold its token past that, so it is never disposed.")]
public sealed class PipeConnection : IDuplexPipe, IAsyncDisposable
{
    private readonly ConnectionPipes _pipes;
    private readonly CancellationTokenSource _closed = new();
    private DuplexPipeStream? _stream;
    private int _closeReason = -1;

    internal PipeConnection(ConnectionPipes pipes, long id, EventLoop loop, EndPoint? localEndPoint, EndPoint? remoteEndPoint)
    {
        _pipes = pipes;
        Id = id;
        Loop = loop;
        LocalEndPoint = localEndPoint;
        RemoteEndPoint = remoteEndPoint;
        ConnectionClosed = _closed.Token;
    }

    /// <summary>What the peer sent, in order; completed at the peer's FIN, failed with <see cref="IOException"/> on any other end.</summary>
    public PipeReader Input => _pipes.ApplicationInput;

    /// <summary>What to send; complete it to half-close (see the remarks).</summary>
    public PipeWriter Output => _pipes.ApplicationOutput;

    /// <summary>The underlying connection's <see cref="Connection.Id"/>.</summary>
    public long Id { get; }

    /// <summary>The loop the connection lives on.</summary>
    public EventLoop Loop { get; }

    /// <summary>This end's address (getsockname when the connection opened): an <see cref="IPEndPoint"/> or a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>The peer's address when the connection opened (getpeername); <see langword="null"/> when the peer had already reset it. A Unix client that did not bind shows as an unnamed endpoint.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Cancelled (on the thread pool, never on the loop thread) once the connection closed for any reason.</summary>
    public CancellationToken ConnectionClosed { get; }

    /// <summary>Why the connection closed, once it has; <see langword="null"/> while it is open. Any thread.</summary>
    public CloseReason? CloseReason => Volatile.Read(ref _closeReason) is int reason and >= 0 ? (CloseReason)reason : null;

    /// <summary>
    /// The connection as a <see cref="Stream"/> (one per connection): for <c>SslStream</c>, <c>StreamReader</c> and the
    /// like. Its blocking calls refuse to run on the loop thread (use the async ones when the application runs inline).
    /// </summary>
    /// <returns>The connection's stream; disposing it completes both pipes.</returns>
    public DuplexPipeStream AsStream() => _stream ??= new DuplexPipeStream(this, Loop);

    /// <summary>Closes the connection at once, dropping queued output (<see cref="CloseReason.Aborted"/>). Any thread; a closed connection ignores it.</summary>
    public void Abort() => _pipes.Abort();

    /// <summary>
    /// Done with the connection: completes both pipes, so what was written is sent and the connection closes gracefully
    /// (FIN, waiting for the peer's) — what returning from a server's application does, and how a client ends one. The
    /// pipes must not be used afterwards. Any thread; disposing again does nothing.
    /// </summary>
    /// <returns>A task that completes once both pipes are completed (the close itself follows on the loop).</returns>
    public ValueTask DisposeAsync() => _pipes.EndApplicationAsync(error: null);

    /// <inheritdoc/>
    public override string ToString() => $"pipe connection {Id}";

    /// <summary>The connection underneath; loop thread only.</summary>
    internal Connection Connection => _pipes.Connection;

    /// <summary>The connection closed: record why, then cancel the token off the loop thread, so nothing the application registered on it runs there.</summary>
    internal void Closed(CloseReason reason)
    {
        Volatile.Write(ref _closeReason, (int)reason);
        ThreadPool.UnsafeQueueUserWorkItem(static closed => closed.Cancel(), _closed, preferLocal: false);
    }
}
