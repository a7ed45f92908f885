namespace IoMux.Transport;

/// <summary>
/// What a <see cref="ServerLoop"/> needs of the connections it accepted, whichever way their bytes move:
/// a place in its list, a start, a graceful close and an immediate one.
/// </summary>
internal abstract class ServedConnection : Connection
{
    private protected ServedConnection(EventLoop loop, int fd, long id)
        : base(loop, fd, id)
    {
    }

    internal ServedConnection? Previous { get; set; }

    internal ServedConnection? Next { get; set; }

    /// <summary>Starts serving and tells the handler; throws (before anything else happens) when the connection cannot be served.</summary>
    internal abstract void Start(IConnectionHandler handler);

    /// <summary>Stops reading, sends what is queued, then closes with <paramref name="reason"/>.</summary>
    internal abstract void BeginClose(CloseReason reason);

    /// <summary>Closes at once with <paramref name="reason"/>; a no-op when already closed.</summary>
    internal abstract void CloseNow(CloseReason reason);
}
