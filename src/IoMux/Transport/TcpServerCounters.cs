namespace IoMux.Transport;

/// <summary>A server's connection counts, shared by its loops (updated once per connection, never per event).</summary>
public sealed class TcpServerCounters
{
    private long _nextId;
    private long _accepted;
    private long _closed;
    private int _open;
    private long _rejectedOverLimit;
    private long _rejectedRefused;
    private long _rejectedSetupFailed;
    private long _rejectedOutOfDescriptors;
    private readonly long[] _closedBy = new long[Enum.GetValues<CloseReason>().Length];

    /// <summary>Connections handed to a handler.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections whose sockets are open now (a closed connection counts until its last request completed).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Accepted connections closed since (each counted once).</summary>
    public long Closed => Interlocked.Read(ref _closed);

    /// <summary>Connections closed at once because <see cref="TcpServerOptions.MaxConnections"/> were open.</summary>
    public long RejectedOverLimit => Interlocked.Read(ref _rejectedOverLimit);

    /// <summary>Connections closed at once because the loop's selector refused the descriptor (select stops at 1024).</summary>
    public long RejectedDescriptorRefused => Interlocked.Read(ref _rejectedRefused);

    /// <summary>Connections closed at once because their I/O resources could not be set up.</summary>
    public long RejectedSetupFailed => Interlocked.Read(ref _rejectedSetupFailed);

    /// <summary>Pending connections shed because the process or system ran out of descriptors (EMFILE / ENFILE).</summary>
    public long RejectedOutOfDescriptors => Interlocked.Read(ref _rejectedOutOfDescriptors);

    /// <summary>Accepted connections that closed for <paramref name="reason"/>.</summary>
    /// <param name="reason">The close reason to count.</param>
    /// <returns>How many closed for it; 0 for a value that is not a <see cref="CloseReason"/>.</returns>
    public long ClosedWith(CloseReason reason) => (uint)reason < (uint)_closedBy.Length ? Interlocked.Read(ref _closedBy[(int)reason]) : 0;

    internal long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Takes a connection slot unless <paramref name="max"/> (0: unlimited) are open.</summary>
    internal bool TryOpen(int max)
    {
        while (true)
        {
            int open = Volatile.Read(ref _open);
            if (max > 0 && open >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _open, open + 1, open) == open)
            {
                return true;
            }
        }
    }

    internal void ConnectionStarted() => Interlocked.Increment(ref _accepted);

    /// <summary>A connection a handler saw closed, for <paramref name="reason"/>.</summary>
    internal void ConnectionClosed(CloseReason reason)
    {
        Interlocked.Increment(ref _closed);
        Interlocked.Increment(ref _closedBy[(int)reason]);
    }

    /// <summary>Gives back a slot from <see cref="TryOpen"/>: the connection's socket is closed.</summary>
    internal void SlotReleased() => Interlocked.Decrement(ref _open);

    /// <summary>Counts a rejection here and on the <c>iomux.connections.rejected</c> instrument, so the two never disagree.</summary>
    internal void Rejected(RejectReason reason)
    {
        TransportMetrics.Rejected(reason);
        switch (reason)
        {
            case RejectReason.OverConnectionLimit:
                Interlocked.Increment(ref _rejectedOverLimit);
                break;
            case RejectReason.DescriptorRefused:
                Interlocked.Increment(ref _rejectedRefused);
                break;
            case RejectReason.SetupFailed:
                Interlocked.Increment(ref _rejectedSetupFailed);
                break;
            default:
                Interlocked.Increment(ref _rejectedOutOfDescriptors);
                break;
        }
    }
}
