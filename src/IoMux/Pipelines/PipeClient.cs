using System.Net;
using IoMux.Transport;

namespace IoMux.Pipelines;

/// <summary>
/// The client half of the async shape: a connect that returns the connection as pipes (and, through
/// <see cref="PipeConnection.AsStream"/>, a stream), ready to read and write. The connection lives on the connector's
/// loop; the caller uses it from any thread and ends it with <see cref="PipeConnection.DisposeAsync"/> (a graceful
/// close) or <see cref="PipeConnection.Abort"/>.
/// </summary>
public static class PipeClient
{
    /// <summary>Connects to <paramref name="remoteEndPoint"/> through <paramref name="connector"/> and returns the connection's pipes.</summary>
    /// <param name="connector">The connector (its options: timeouts, the I/O model, the connection's limits; set
    /// <see cref="ConnectionOptions.AllowHalfOpen"/> so the server's FIN ends only the input).</param>
    /// <param name="remoteEndPoint">Where to connect: an <see cref="IPEndPoint"/>, a <see cref="DnsEndPoint"/> or a Unix socket path.</param>
    /// <param name="options">The pipes' thresholds and scheduling, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the connect (not the connection once it is made).</param>
    /// <returns>The connected pipes, ready to read and write.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connector"/> or <paramref name="remoteEndPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="ConnectException">The connect failed (refused, timed out, unreachable, the name did not resolve); its error says which.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static async Task<PipeConnection> ConnectAsync(Connector connector, EndPoint remoteEndPoint, PipeConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        options ??= new PipeConnectionOptions();
        options.Validate();
        var pipes = new ConnectionPipes(connector.Loop, application: null, options);
        // The connector completes its task off the loop thread, so the caller's code never runs on the loop.
        await connector.ConnectAsync(remoteEndPoint, pipes, cancellationToken).ConfigureAwait(false);
        return pipes.Face;
    }
}
