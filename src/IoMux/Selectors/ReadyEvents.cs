namespace IoMux;

/// <summary>
/// The events one <see cref="Selector.Wait"/> returned. Enumerate it with <c>foreach</c>: each event is
/// checked as it is reached, so an event whose registration was removed or replaced by an earlier
/// handler in the same batch is skipped, and readiness an earlier handler stopped asking for is masked.
/// </summary>
/// <remarks>
/// It is a view over the span given to <see cref="Selector.Wait"/>: valid until the next wait on that span.
/// A <see langword="default"/> instance holds no events.
/// </remarks>
public readonly ref struct ReadyEvents
{
    private readonly ReadOnlySpan<SelectorEvent> _events;

    internal ReadyEvents(ReadOnlySpan<SelectorEvent> events) => _events = events;

    /// <summary>How many events the kernel reported (before any are skipped as stale).</summary>
    public int Count => _events.Length;

    /// <summary>
    /// The events as the kernel reported them, without the staleness check or masking: an event here may be of a
    /// registration an earlier handler of the same batch removed, and its <see cref="SelectorEvent.Key"/> may by
    /// then describe another registration.
    /// </summary>
    public ReadOnlySpan<SelectorEvent> Raw => _events;

    /// <summary>Returns an enumerator that checks each event as it is reached.</summary>
    /// <returns>An enumerator over the events still current.</returns>
    public Enumerator GetEnumerator() => new(_events);

    /// <summary>Enumerates the events of a wait, skipping stale ones and masking readiness no longer asked for.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<SelectorEvent> _events;
        private int _index;

        internal Enumerator(ReadOnlySpan<SelectorEvent> events)
        {
            _events = events;
            _index = -1;
            Current = default;
        }

        /// <summary>The event reached; its readiness is masked to what its registration asks for now.</summary>
        public SelectorEvent Current { get; private set; }

        /// <summary>Advances to the next event whose registration still exists and still asks for some of its readiness.</summary>
        /// <returns><see langword="false"/> when no such event is left.</returns>
        public bool MoveNext()
        {
            while (++_index < _events.Length)
            {
                SelectorEvent ev = _events[_index];
                if (ev.Key.Generation != ev.Generation)
                {
                    continue;
                }
                Readiness visible = Selector.Visible(ev.Key.Interest, ev.Readiness);
                if (visible == Readiness.None)
                {
                    continue;
                }
                Current = visible == ev.Readiness ? ev : new SelectorEvent(ev.Key, visible);
                return true;
            }
            return false;
        }
    }
}
