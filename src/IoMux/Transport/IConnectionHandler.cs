namespace IoMux.Transport;

/// <summary>
/// A protocol, as the transport sees it: told when a connection starts, given each chunk of received
/// bytes, told when its queued output has drained enough to accept more, and told once when the
/// connection is gone. Nothing here says how bytes arrive (readiness or completion), so the same
/// handler serves the epoll/poll/select transport and a completion-based one. Called on the
/// connection's loop thread; never re-entered for one connection. An exception a callback throws closes that
/// connection with <see cref="CloseReason.HandlerFailed"/> (kept in <see cref="Connection.HandlerException"/>)
/// and goes no further.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>The connection is open and receiving is about to start; <see cref="Connection.Write"/> may be called.</summary>
    /// <param name="connection">The new connection; the handler may keep it until <see cref="OnClosed"/>.</param>
    void OnConnected(Connection connection);

    /// <summary>
    /// Bytes arrived. <paramref name="data"/> is the loop's shared read buffer: valid only during the call,
    /// so copy what must outlive it (<see cref="Connection.Write"/> copies what it cannot send at once).
    /// </summary>
    /// <param name="connection">The connection the bytes arrived on.</param>
    /// <param name="data">The bytes, never empty.</param>
    void OnData(Connection connection, ReadOnlySpan<byte> data);

    /// <summary>
    /// The connection's queued output fell to its low watermark after passing its high one (after
    /// <see cref="OnWriteBlocked"/>): reading has resumed, and a producer that paused itself may write again.
    /// </summary>
    /// <param name="connection">The connection that drained.</param>
    void OnWritable(Connection connection);

    /// <summary>
    /// The connection's queued output passed its high watermark (<see cref="Connection.IsOutputBlocked"/>): reading
    /// is paused until it drains, and a producer that writes on its own should pause until <see cref="OnWritable"/>.
    /// Told when the callback whose write passed the watermark returns (at once for a write from outside a callback).
    /// </summary>
    /// <param name="connection">The connection whose output is blocked.</param>
    void OnWriteBlocked(Connection connection)
    {
    }

    /// <summary>
    /// The peer sent FIN: no more bytes will arrive (<see cref="Connection.IsInputEnded"/>). The handler may still write.
    /// Then, unless <see cref="ConnectionOptions.AllowHalfOpen"/>, the connection sends what is queued and closes
    /// (<see cref="CloseReason.PeerClosed"/>); with it, the connection stays open for writing until the handler calls
    /// <see cref="Connection.ShutdownOutput"/> or <see cref="Connection.Close"/>.
    /// </summary>
    /// <param name="connection">The connection whose input ended.</param>
    void OnInputEnded(Connection connection)
    {
    }

    /// <summary>
    /// The connection is closed; called exactly once, and never from inside the handler's own callbacks. Its socket
    /// may still be closing (on io_uring, when its cancelled requests complete); the connection accepts no more writes.
    /// </summary>
    /// <param name="connection">The closed connection; its properties stay readable.</param>
    /// <param name="reason">Why it closed.</param>
    void OnClosed(Connection connection, CloseReason reason);
}
