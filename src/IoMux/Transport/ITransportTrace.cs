namespace IoMux.Transport;

/// <summary>
/// Watches a server's connections event by event (the tutorial's prints). Called on the loop thread, inside the
/// event it reports: an implementation must not block, and should not throw (an exception escapes into the loop).
/// A connection it is given is valid to read for the duration of the call.
/// </summary>
public interface ITransportTrace
{
    /// <summary>A connection was accepted and is about to be handed to its handler's <see cref="IConnectionHandler.OnConnected"/>.</summary>
    /// <param name="connection">The new connection.</param>
    void Accepted(Connection connection);

    /// <summary>An accepted socket was closed at once, before any handler saw it.</summary>
    /// <param name="fd">The socket's descriptor number (already closed, or about to be).</param>
    /// <param name="reason">Why it was rejected.</param>
    void Rejected(int fd, RejectReason reason);

    /// <summary><paramref name="bytes"/> were received, and are about to be handed to <see cref="IConnectionHandler.OnData"/>.</summary>
    /// <param name="connection">The connection that received them.</param>
    /// <param name="bytes">How many bytes were received (more than zero).</param>
    void Read(Connection connection, int bytes);

    /// <summary>The peer shut down its sending side (a read returned EOF).</summary>
    /// <param name="connection">The connection whose peer did.</param>
    void EndOfStream(Connection connection);

    /// <summary>
    /// This side shut down its sending side (shutdown(SHUT_WR): FIN follows what was queued): a half-close asked for
    /// by <see cref="Connection.ShutdownOutput"/>, or the first step of closing gracefully while the peer still sends.
    /// </summary>
    /// <param name="connection">The connection that did.</param>
    void SentEndOfStream(Connection connection);

    /// <summary><paramref name="bytes"/> went to the kernel; <paramref name="queued"/> remain in the write queue.</summary>
    /// <param name="connection">The connection that sent them.</param>
    /// <param name="bytes">How many bytes the kernel took.</param>
    /// <param name="queued">How many bytes are still queued after them.</param>
    void Wrote(Connection connection, int bytes, int queued);

    /// <summary>On the readiness model, the connection's registration changed what it is watched for.</summary>
    /// <param name="connection">The connection whose registration changed.</param>
    /// <param name="previous">What it was watched for before (<see cref="Interest.None"/>: nothing).</param>
    /// <param name="current">What it is watched for now.</param>
    void InterestChanged(Connection connection, Interest previous, Interest current);

    /// <summary>A connection its handler saw is closed, and is about to be reported to <see cref="IConnectionHandler.OnClosed"/>.</summary>
    /// <param name="connection">The closed connection.</param>
    /// <param name="reason">Why it closed.</param>
    void Closed(Connection connection, CloseReason reason);
}
