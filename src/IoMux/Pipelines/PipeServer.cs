using System.Net;
using IoMux.Transport;

namespace IoMux.Pipelines;

/// <summary>
/// The async server shape: each connection handed to an application <c>Func&lt;PipeConnection, CancellationToken, Task&gt;</c>
/// that reads and writes its pipes with <c>await</c>, and is done when its task ends. The callback API
/// (<see cref="IConnectionHandler"/>) stays underneath: <see cref="Handler"/> is a handler factory like any other, for
/// any listener or connector that takes one.
/// </summary>
public static class PipeServer
{
    /// <summary>
    /// A handler factory that serves each connection through <paramref name="application"/>, started on the thread pool
    /// (or on the loop thread, with <see cref="PipeConnectionOptions.RunApplicationInline"/>) once the connection opens.
    /// </summary>
    /// <param name="application">The protocol; its token is <see cref="PipeConnection.ConnectionClosed"/>.</param>
    /// <param name="options">The pipes' thresholds and scheduling, or <see langword="null"/> for the defaults.</param>
    /// <returns>A factory for <see cref="TcpServer.Start"/> (or any other taker of a handler factory).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="application"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static Func<Connection, IConnectionHandler> Handler(Func<PipeConnection, CancellationToken, Task> application, PipeConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(application);
        options ??= new PipeConnectionOptions();
        options.Validate();
        return connection => new ConnectionPipes(connection.Loop, application, options);
    }

    /// <summary>
    /// <see cref="TcpServer.Start"/> with <paramref name="application"/> serving each connection through its pipes.
    /// Without <paramref name="options"/>, connections allow half-open (the peer's FIN ends the input only, as in Kestrel), so
    /// an application can still answer a peer that has finished sending.
    /// </summary>
    /// <param name="group">The loops to serve on.</param>
    /// <param name="endPoint">The address to listen on: an <see cref="IPEndPoint"/> (port 0 picks a free port) or a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>.</param>
    /// <param name="application">The protocol, one call per connection.</param>
    /// <param name="options">How the server runs, or <see langword="null"/> for the defaults with half-open connections.</param>
    /// <param name="pipeOptions">The pipes' thresholds and scheduling, or <see langword="null"/> for the defaults.</param>
    /// <returns>The listening server.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/>, <paramref name="endPoint"/> or <paramref name="application"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="NotSupportedException">A loop cannot serve the options' I/O model or trigger.</exception>
    /// <exception cref="Native.SyscallException">socket, bind or listen failed (EADDRINUSE, say).</exception>
    public static TcpServer Start(EventLoopGroup group, EndPoint endPoint, Func<PipeConnection, CancellationToken, Task> application, TcpServerOptions? options = null, PipeConnectionOptions? pipeOptions = null) =>
        TcpServer.Start(group, endPoint, Handler(application, pipeOptions), options ?? new TcpServerOptions { AllowHalfOpen = true });
}
