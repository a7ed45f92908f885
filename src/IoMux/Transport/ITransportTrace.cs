namespace IoMux.Transport;

/// <summary>Watches a server's connections event by event (the tutorial's prints). Called on the loop thread.</summary>
public interface ITransportTrace
{
    void Accepted(Connection connection);

    void Rejected(int fd, RejectReason reason);

    void Read(Connection connection, int bytes);

    void EndOfStream(Connection connection);

    /// <summary><paramref name="bytes"/> went to the kernel; <paramref name="queued"/> remain in the write queue.</summary>
    void Wrote(Connection connection, int bytes, int queued);

    void InterestChanged(Connection connection, Interest previous, Interest current);

    void Closed(Connection connection, CloseReason reason);
}
