using System.Runtime.InteropServices;

namespace IoMux;

/// <summary>
/// One registration: a descriptor, what it is watched for, and the caller's state.
/// A key belongs to its registration from <c>Register</c> until <c>Unregister</c>. After that the
/// selector may reuse the object for a later registration (so registering allocates nothing in steady
/// state): drop references to a key when you unregister it. Events are stamped with the registration's
/// generation, so an event of an earlier registration is never delivered through a reused key.
/// </summary>
public sealed class SelectorKey
{
    internal SelectorKey(int fd, Interest interest, Trigger trigger, object? state, uint generation, SafeHandle? handle) =>
        Reset(fd, interest, trigger, state, generation, handle);

    /// <summary>The registered descriptor.</summary>
    public int Fd { get; private set; }

    /// <summary>What the descriptor is watched for.</summary>
    public Interest Interest { get; internal set; }

    /// <summary>How readiness is reported.</summary>
    public Trigger Trigger { get; internal set; }

    /// <summary>The caller's state (a connection, a callback…); changing it costs no system call.</summary>
    public object? State { get; set; }

    /// <summary>False once unregistered (or the selector disposed).</summary>
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

    public override string ToString() => $"fd {Fd} {Interest} {Trigger}{(IsRegistered ? "" : " (unregistered)")}";
}
