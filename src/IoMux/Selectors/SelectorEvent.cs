namespace IoMux;

/// <summary>One descriptor's readiness from one wait.</summary>
/// <remarks>
/// <see cref="Readiness"/> is a value of that wait. <see cref="Key"/>, <see cref="Fd"/> and <see cref="State"/> read
/// the registration live, so they are meaningful only while it lasts: an event kept past the <c>Unregister</c> of its
/// descriptor may read another registration's (see <see cref="SelectorKey"/>). A <see langword="default"/> event has
/// no key. Two events are equal when they are of the same registration with the same readiness.
/// </remarks>
public readonly struct SelectorEvent : IEquatable<SelectorEvent>
{
    internal SelectorEvent(SelectorKey key, Readiness readiness)
    {
        Key = key;
        Readiness = readiness;
        Generation = key.Generation;
    }

    /// <summary>The registration the event is for; valid while that registration lasts.</summary>
    public SelectorKey Key { get; }

    /// <summary>What is ready: the registration's interests that are, plus hang-up, error or invalid, which are reported unasked.</summary>
    public Readiness Readiness { get; }

    /// <summary>The registered descriptor's number (<see cref="SelectorKey.Fd"/> of <see cref="Key"/>).</summary>
    public int Fd => Key.Fd;

    /// <summary>The caller's state of the registration (<see cref="SelectorKey.State"/> of <see cref="Key"/>).</summary>
    public object? State => Key.State;

    /// <summary>The key's generation when the kernel reported this event.</summary>
    internal uint Generation { get; }

    /// <summary>Whether <paramref name="other"/> is of the same registration with the same readiness.</summary>
    /// <param name="other">The event to compare with.</param>
    /// <returns><see langword="true"/> when both are of the same registration (not merely the same key object) and readiness.</returns>
    public bool Equals(SelectorEvent other) =>
        ReferenceEquals(Key, other.Key) && Readiness == other.Readiness && Generation == other.Generation;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SelectorEvent other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Readiness, Generation);

    /// <summary>Whether two events are of the same registration with the same readiness.</summary>
    /// <param name="left">The first event.</param>
    /// <param name="right">The second event.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(SelectorEvent left, SelectorEvent right) => left.Equals(right);

    /// <summary>Whether two events differ in registration or readiness.</summary>
    /// <param name="left">The first event.</param>
    /// <param name="right">The second event.</param>
    /// <returns><see langword="true"/> when they are not equal.</returns>
    public static bool operator !=(SelectorEvent left, SelectorEvent right) => !left.Equals(right);

    /// <summary>The descriptor and readiness, e.g. <c>fd 7: Read</c>.</summary>
    /// <returns>A one-line description of the event.</returns>
    public override string ToString() => $"fd {Fd}: {Readiness}";
}
