namespace IoMux.Transport;

/// <summary>
/// A protocol, as the transport sees it: told when a connection starts, given each chunk of received
/// bytes, told when its queued output has drained enough to accept more, and told once when the
/// connection is gone. Nothing here says how bytes arrive (readiness or completion), so the same
/// handler serves the epoll/poll/select transport and a completion-based one. Called on the
/// connection's loop thread; never re-entered for one connection.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>The connection is open and registered; <see cref="Connection.Write"/> may be called.</summary>
    void OnConnected(Connection connection);

    /// <summary>
    /// Bytes arrived. <paramref name="data"/> is the loop's shared read buffer: valid only during the call,
    /// so copy what must outlive it (<see cref="Connection.Write"/> copies what it cannot send at once).
    /// </summary>
    void OnData(Connection connection, ReadOnlySpan<byte> data);

    /// <summary>
    /// The connection's queued output fell to its low watermark after passing its high one: reading has
    /// resumed, and a producer that paused itself may write again.
    /// </summary>
    void OnWritable(Connection connection);

    /// <summary>The connection is closed and its resources returned; called exactly once.</summary>
    void OnClosed(Connection connection, CloseReason reason);
}
