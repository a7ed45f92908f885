namespace IoMux;

/// <summary>
/// The events one <see cref="Selector.Wait"/> returned. Enumerate it with <c>foreach</c>: each event is
/// checked as it is reached, so an event whose registration was removed or replaced by an earlier
/// handler in the same batch is skipped, and readiness an earlier handler stopped asking for is masked.
/// </summary>
public readonly ref struct ReadyEvents
{
    private readonly ReadOnlySpan<SelectorEvent> _events;

    internal ReadyEvents(ReadOnlySpan<SelectorEvent> events) => _events = events;

    /// <summary>How many events the kernel reported (before any are skipped as stale).</summary>
    public int Count => _events.Length;

    /// <summary>The raw events, without the staleness check.</summary>
    public ReadOnlySpan<SelectorEvent> Raw => _events;

    public Enumerator GetEnumerator() => new(_events);

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

        public SelectorEvent Current { get; private set; }

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
