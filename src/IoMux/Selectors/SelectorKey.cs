using System.Runtime.InteropServices;

namespace IoMux;

/// <summary>One registration: a descriptor, what it is watched for, and the caller's state.</summary>
/// <remarks>
/// <para>
/// A key is valid from the <c>Register</c> that returned it until that descriptor is unregistered or the
/// selector is disposed; <c>Modify</c>, <c>TryGetKey</c>, <see cref="Selector.Registrations"/> and
/// <see cref="SelectorEvent.Key"/> hand out the same object meanwhile. Keep it as long as the registration
/// lives, not longer.
/// </para>
/// <para>
/// After <c>Unregister</c> the selector recycles the object (so registering allocates nothing in steady
/// state): its <see cref="IsRegistered"/> is <see langword="false"/> only until the selector's next
/// <c>Register</c>, which may hand the same object out again for another descriptor, with that
/// registration's <see cref="Fd"/>, <see cref="Interest"/> and <see cref="State"/>. A key kept past its
/// <c>Unregister</c> may therefore describe, and change, someone else's registration: drop it when you
/// unregister. Events are stamped with their registration, so <see cref="ReadyEvents"/> never delivers an
/// event of an earlier registration through a recycled key.
/// </para>
/// </remarks>
public sealed class SelectorKey
{
    private object? _state;

    internal SelectorKey(int fd, Interest interest, Trigger trigger, object? state, uint generation, SafeHandle? handle) =>
        Reset(fd, interest, trigger, state, generation, handle);

    /// <summary>The registered descriptor's number.</summary>
    public int Fd { get; private set; }

    /// <summary>What the descriptor is watched for; changed by <c>Modify</c>.</summary>
    public Interest Interest { get; internal set; }

    /// <summary>How readiness is reported; changed by <c>Modify</c>.</summary>
    public Trigger Trigger { get; internal set; }

    /// <summary>
    /// The caller's state (a connection, a callback…), as given to <c>Register</c>; setting it costs no system
    /// call and is seen by the next event. Cleared on <c>Unregister</c>.
    /// </summary>
    public object? State
    {
        get => _state;
        set
        {
            _state = value;
            Handler = value as ILoopHandler;
        }
    }

    /// <summary>
    /// <see cref="State"/> when it is an <see cref="ILoopHandler"/>, else <see langword="null"/>: typed once when the
    /// state is set, so the loop dispatches each event without a cast (NativeAOT, having no profile to devirtualize
    /// it, would test the state's interfaces per event).
    /// </summary>
    internal ILoopHandler? Handler { get; private set; }

    /// <summary>
    /// <see langword="false"/> once unregistered or the selector disposed, until the selector recycles the object
    /// for a later registration (see the remarks): not a test a caller can make on a key it kept past <c>Unregister</c>.
    /// </summary>
    public bool IsRegistered => Generation != 0;

    /// <summary>Nonzero while registered; unique per registration within a selector.</summary>
    internal uint Generation { get; private set; }

    /// <summary>False after a one-shot registration delivered its event, until modified.</summary>
    internal bool Armed { get; set; } = true;

    /// <summary>Index in the selector's dense registration list.</summary>
    internal int Slot { get; set; }

    /// <summary>Held (DangerousAddRef) while registered so the descriptor number cannot be reused under us.</summary>
    internal SafeHandle? Handle { get; private set; }

    /// <summary>Makes this object the key of a new registration (fresh or reused from the selector's pool).</summary>
    internal void Reset(int fd, Interest interest, Trigger trigger, object? state, uint generation, SafeHandle? handle)
    {
        Fd = fd;
        Interest = interest;
        Trigger = trigger;
        State = state;
        Generation = generation;
        Handle = handle;
        Armed = true;
    }

    internal void Retire()
    {
        Generation = 0;
        State = null;
        Handle?.DangerousRelease();
        Handle = null;
    }

    /// <summary>The descriptor, interest and trigger, e.g. <c>fd 7 Read Level</c>, for logs and test output.</summary>
    /// <returns>A one-line description of the registration.</returns>
    public override string ToString() => $"fd {Fd} {Interest} {Trigger}{(IsRegistered ? "" : " (unregistered)")}";
}
