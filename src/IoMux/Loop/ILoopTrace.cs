namespace IoMux;

/// <summary>Watches an <see cref="EventLoop"/> turn by turn (the tutorial's "waiting…" and "ready" prints). Called on the loop thread.</summary>
public interface ILoopTrace
{
    /// <summary>The loop is about to wait; <see cref="Timeout.InfiniteTimeSpan"/> when nothing is due.</summary>
    void Waiting(EventLoop eventLoop, TimeSpan timeout);

    /// <summary>A wait returned these events (raw: before stale ones are skipped).</summary>
    void Ready(EventLoop eventLoop, ReadOnlySpan<SelectorEvent> events);
}
