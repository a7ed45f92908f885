namespace IoMux;

/// <summary>Watches an <see cref="EventLoop"/> turn by turn (the tutorial's "waiting…" and "ready" prints). Called on the loop thread.</summary>
public interface ILoopTrace
{
    /// <summary>The loop is about to wait.</summary>
    /// <param name="eventLoop">The loop.</param>
    /// <param name="timeout">How long at most: <see cref="TimeSpan.Zero"/> with work queued, <see cref="Timeout.InfiniteTimeSpan"/> when nothing is due.</param>
    void Waiting(EventLoop eventLoop, TimeSpan timeout);

    /// <summary>A wait returned events (called only when it returned some).</summary>
    /// <param name="eventLoop">The loop.</param>
    /// <param name="events">The events, raw (before stale ones are skipped); valid only during the call.</param>
    void Ready(EventLoop eventLoop, ReadOnlySpan<SelectorEvent> events);
}
