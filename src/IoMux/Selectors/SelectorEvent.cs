namespace IoMux;

/// <summary>One descriptor's readiness from one wait.</summary>
public readonly struct SelectorEvent : IEquatable<SelectorEvent>
{
    internal SelectorEvent(SelectorKey key, Readiness readiness)
    {
        Key = key;
        Readiness = readiness;
        Generation = key.Generation;
    }

    public SelectorKey Key { get; }

    public Readiness Readiness { get; }

    public int Fd => Key.Fd;

    public object? State => Key.State;

    /// <summary>The key's generation when the kernel reported this event.</summary>
    internal uint Generation { get; }

    public bool Equals(SelectorEvent other) =>
        ReferenceEquals(Key, other.Key) && Readiness == other.Readiness && Generation == other.Generation;

    public override bool Equals(object? obj) => obj is SelectorEvent other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Key, Readiness, Generation);

    public static bool operator ==(SelectorEvent left, SelectorEvent right) => left.Equals(right);

    public static bool operator !=(SelectorEvent left, SelectorEvent right) => !left.Equals(right);

    public override string ToString() => $"fd {Fd}: {Readiness}";
}
