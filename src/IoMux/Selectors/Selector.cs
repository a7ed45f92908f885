using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux;

/// <summary>
/// Watches many descriptors at once and reports which are ready: the C# peer of Python's
/// <c>selectors</c> and Rust's mio. One thread registers, modifies and waits; any thread may
/// call <see cref="Wake"/>. Create one with <see cref="Create"/>. Every call that names a descriptor takes it
/// as <c>Register</c> does: a <see cref="Socket"/>, a <see cref="SafeHandle"/> or its number.
/// </summary>
/// <remarks>
/// Errors, each leaving the selector exactly as it was:
/// registering a registered descriptor — <see cref="AlreadyRegisteredException"/>;
/// modifying or unregistering an unknown one — <see cref="NotRegisteredException"/>;
/// a negative descriptor — <see cref="ArgumentOutOfRangeException"/>;
/// a null socket or handle — <see cref="ArgumentNullException"/>;
/// a disposed socket or closed handle — <see cref="ObjectDisposedException"/> (its number may name another descriptor by now; a handle disposed while registered stays open until unregistered, so it is not closed yet);
/// an empty or unknown interest — <see cref="ArgumentException"/>;
/// a trigger the backend lacks — <see cref="NotSupportedException"/>;
/// a closed descriptor — <see cref="SyscallException"/> with <see cref="Errno.EBADF"/>;
/// a regular file on epoll — <see cref="SyscallException"/> with <see cref="Errno.EPERM"/> (io_uring, poll and select report it always ready);
/// a descriptor ≥ 1024 on select — <see cref="FdSetSizeExceededException"/>;
/// any call after <see cref="Dispose()"/> — <see cref="ObjectDisposedException"/>.
/// </remarks>
public abstract class Selector : IDisposable
{
    private const Interest AllInterests = Interest.Read | Interest.Write | Interest.Priority | Interest.ReadHangup;
    private const Readiness AlwaysReported = Readiness.Hangup | Readiness.Error | Readiness.Invalid;

    // Retired keys kept for reuse, so that Register and Unregister allocate nothing in steady state.
    private const int KeyPoolLimit = 4096;

    private readonly RegistrationTable _registrations = new();
    private readonly Stack<SelectorKey> _keyPool = new();
    private readonly WakeSignal _wake;
    private uint _lastGeneration;
    private bool _disposed;

    private protected Selector() => _wake = WakeSignal.Create();

    /// <summary>Creates a selector on <paramref name="backend"/> (<see cref="SelectorBackend.Auto"/>: epoll).</summary>
    /// <param name="backend">The kernel mechanism to use.</param>
    /// <returns>A new selector; the caller owns it and disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not a <see cref="SelectorBackend"/> value.</exception>
    /// <exception cref="SyscallException">The kernel refused to create it: io_uring refused (see <see cref="IsAvailable"/>), or the descriptor limit reached (<see cref="Errno.EMFILE"/>).</exception>
    /// <exception cref="NotSupportedException">io_uring is there but lacks what the selector needs; the message says what.</exception>
    public static Selector Create(SelectorBackend backend = SelectorBackend.Auto) => backend switch
    {
        SelectorBackend.Auto or SelectorBackend.Epoll => new EpollSelector(),
        SelectorBackend.Poll => new PollSelector(),
        SelectorBackend.Select => new SelectSelector(),
        SelectorBackend.IoUring => new IoUringSelector(),
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "unknown backend; use Auto, Epoll, Poll, Select or IoUring"),
    };

    /// <summary>
    /// Whether <see cref="Create"/> can make a selector on <paramref name="backend"/> here, and if not, why
    /// (io_uring can be refused by the kernel build, <c>kernel.io_uring_disabled</c> or a seccomp filter).
    /// </summary>
    /// <param name="backend">The backend to ask about.</param>
    /// <param name="reason">When this returns <see langword="false"/>, one line naming the refusal; otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the backend is available.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not a <see cref="SelectorBackend"/> value.</exception>
    public static bool IsAvailable(SelectorBackend backend, [NotNullWhen(false)] out string? reason)
    {
        reason = backend switch
        {
            SelectorBackend.Auto or SelectorBackend.Epoll or SelectorBackend.Poll or SelectorBackend.Select => null,
            SelectorBackend.IoUring => IoUringSupport.RefusalReason,
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "unknown backend; use Auto, Epoll, Poll, Select or IoUring"),
        };
        return reason is null;
    }

    /// <summary>The backend this selector runs on (never <see cref="SelectorBackend.Auto"/>).</summary>
    public abstract SelectorBackend Backend { get; }

    /// <summary>Whether this backend can deliver <paramref name="trigger"/> (every backend has level and one-shot; edge needs epoll or io_uring).</summary>
    /// <param name="trigger">The trigger mode to ask about.</param>
    /// <returns><see langword="true"/> when <c>Register</c> and <c>Modify</c> accept <paramref name="trigger"/>.</returns>
    public abstract bool Supports(Trigger trigger);

    /// <summary>
    /// The live registrations, as a read-only view that follows later changes (enumerating it while registering
    /// or unregistering is not supported). Its keys are subject to the same lifetime as any <see cref="SelectorKey"/>.
    /// </summary>
    public IReadOnlyCollection<SelectorKey> Registrations => _registrations;

    /// <summary>Looks up the registration of the descriptor numbered <paramref name="fd"/>.</summary>
    /// <param name="fd">The descriptor number.</param>
    /// <param name="key">When this returns <see langword="true"/>, the registration's key, valid until that registration is unregistered (see <see cref="SelectorKey"/>); otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="fd"/> is registered.</returns>
    /// <exception cref="ObjectDisposedException">The selector is disposed.</exception>
    public bool TryGetKey(int fd, [NotNullWhen(true)] out SelectorKey? key)
    {
        ThrowIfDisposed();
        key = _registrations.Find(fd);
        return key is not null;
    }

    /// <summary>Looks up the registration of <paramref name="handle"/>'s descriptor, however it was registered.</summary>
    /// <param name="handle">An open handle.</param>
    /// <param name="key">When this returns <see langword="true"/>, the registration's key, valid until that registration is unregistered (see <see cref="SelectorKey"/>); otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the descriptor is registered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handle"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="handle"/> is closed (its number may name another descriptor by now), or the selector is disposed.</exception>
    public bool TryGetKey(SafeHandle handle, [NotNullWhen(true)] out SelectorKey? key) => TryGetKey(OpenNumber(handle), out key);

    /// <summary>Looks up the registration of <paramref name="socket"/>'s descriptor, however it was registered.</summary>
    /// <param name="socket">A socket that is not disposed.</param>
    /// <param name="key">When this returns <see langword="true"/>, the registration's key, valid until that registration is unregistered (see <see cref="SelectorKey"/>); otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the descriptor is registered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="socket"/> is disposed, or the selector is.</exception>
    public bool TryGetKey(Socket socket, [NotNullWhen(true)] out SelectorKey? key) => TryGetKey(OpenNumber(socket), out key);

    /// <summary>
    /// Starts watching the descriptor numbered <paramref name="fd"/> for <paramref name="interest"/>. The selector
    /// never closes it; the caller keeps it open until it unregisters it.
    /// </summary>
    /// <param name="fd">An open descriptor.</param>
    /// <param name="interest">What to report: one or more of <see cref="Interest.Read"/>, <see cref="Interest.Write"/>, <see cref="Interest.Priority"/> and <see cref="Interest.ReadHangup"/>.</param>
    /// <param name="state">The caller's state, handed back as <see cref="SelectorKey.State"/> and <see cref="SelectorEvent.State"/>.</param>
    /// <param name="trigger">How readiness is reported; see <see cref="Supports"/>.</param>
    /// <returns>The registration's key, valid until it is unregistered (see <see cref="SelectorKey"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative, or <paramref name="trigger"/> is not a <see cref="Trigger"/> value.</exception>
    /// <exception cref="ArgumentException"><paramref name="interest"/> is <see cref="Interest.None"/> or has unknown bits.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="AlreadyRegisteredException"><paramref name="fd"/> is already registered.</exception>
    /// <exception cref="DescriptorRefusedException">The backend cannot watch <paramref name="fd"/> (select: <see cref="FdSetSizeExceededException"/> at 1024 and above).</exception>
    /// <exception cref="SyscallException">The kernel refused it: <see cref="Errno.EBADF"/> when it is not open, <see cref="Errno.EPERM"/> for a regular file on epoll.</exception>
    /// <exception cref="ObjectDisposedException">The selector is disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the descriptor, never by how many arguments follow it, so a call never binds to another overload.")]
    public SelectorKey Register(int fd, Interest interest, object? state = null, Trigger trigger = Trigger.Level) =>
        RegisterCore(fd, null, interest, state, trigger);

    /// <summary>
    /// Starts watching <paramref name="handle"/>'s descriptor. The selector holds a reference on the handle until
    /// the registration ends, so a handle its owner disposes meanwhile is closed only then, and its number cannot be
    /// reused under the registration.
    /// </summary>
    /// <param name="handle">An open handle.</param>
    /// <param name="interest">What to report: one or more of <see cref="Interest.Read"/>, <see cref="Interest.Write"/>, <see cref="Interest.Priority"/> and <see cref="Interest.ReadHangup"/>.</param>
    /// <param name="state">The caller's state, handed back as <see cref="SelectorKey.State"/> and <see cref="SelectorEvent.State"/>.</param>
    /// <param name="trigger">How readiness is reported; see <see cref="Supports"/>.</param>
    /// <returns>The registration's key, valid until it is unregistered (see <see cref="SelectorKey"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handle"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="handle"/> is closed, or the selector is disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trigger"/> is not a <see cref="Trigger"/> value, or the handle's value is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="interest"/> is <see cref="Interest.None"/> or has unknown bits.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="AlreadyRegisteredException">The descriptor is already registered.</exception>
    /// <exception cref="DescriptorRefusedException">The backend cannot watch the descriptor (select: <see cref="FdSetSizeExceededException"/> at 1024 and above).</exception>
    /// <exception cref="SyscallException">The kernel refused it, e.g. <see cref="Errno.EPERM"/> for a regular file on epoll.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the descriptor, never by how many arguments follow it, so a call never binds to another overload.")]
    public SelectorKey Register(SafeHandle handle, Interest interest, object? state = null, Trigger trigger = Trigger.Level) =>
        RegisterCore(OpenNumber(handle), handle, interest, state, trigger);

    /// <summary>
    /// Starts watching <paramref name="socket"/>'s descriptor. Unregister it before disposing the socket: unlike other handles,
    /// a socket's Dispose waits for every reference on its handle, so the selector holds none (holding one
    /// would make Dispose before Unregister hang), and a disposed socket's number may be reused.
    /// </summary>
    /// <param name="socket">A socket that is not disposed.</param>
    /// <param name="interest">What to report: one or more of <see cref="Interest.Read"/>, <see cref="Interest.Write"/>, <see cref="Interest.Priority"/> and <see cref="Interest.ReadHangup"/>.</param>
    /// <param name="state">The caller's state, handed back as <see cref="SelectorKey.State"/> and <see cref="SelectorEvent.State"/>.</param>
    /// <param name="trigger">How readiness is reported; see <see cref="Supports"/>.</param>
    /// <returns>The registration's key, valid until it is unregistered (see <see cref="SelectorKey"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="socket"/> is disposed, or the selector is.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trigger"/> is not a <see cref="Trigger"/> value.</exception>
    /// <exception cref="ArgumentException"><paramref name="interest"/> is <see cref="Interest.None"/> or has unknown bits.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="AlreadyRegisteredException">The descriptor is already registered.</exception>
    /// <exception cref="DescriptorRefusedException">The backend cannot watch the descriptor (select: <see cref="FdSetSizeExceededException"/> at 1024 and above).</exception>
    /// <exception cref="SyscallException">The kernel refused it.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the descriptor, never by how many arguments follow it, so a call never binds to another overload.")]
    public SelectorKey Register(Socket socket, Interest interest, object? state = null, Trigger trigger = Trigger.Level) =>
        RegisterCore(OpenNumber(socket), null, interest, state, trigger);

    /// <summary>
    /// Changes what the descriptor numbered <paramref name="fd"/> is watched for (and optionally its trigger). Re-arms a one-shot
    /// registration. Asking for what is already in force makes no system call. On failure the registration is unchanged.
    /// </summary>
    /// <param name="fd">A registered descriptor.</param>
    /// <param name="interest">What to report from now on; see <see cref="Register(int, Interest, object?, Trigger)"/>.</param>
    /// <param name="trigger">The new trigger, or <see langword="null"/> to keep the registration's.</param>
    /// <returns>The registration's key: the same object <c>Register</c> returned.</returns>
    /// <exception cref="NotRegisteredException"><paramref name="fd"/> is not registered.</exception>
    /// <exception cref="ArgumentException"><paramref name="interest"/> is <see cref="Interest.None"/> or has unknown bits.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trigger"/> is not a <see cref="Trigger"/> value.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="SyscallException">The kernel refused the change.</exception>
    /// <exception cref="ObjectDisposedException">The selector is disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the descriptor, never by how many arguments follow it, so a call never binds to another overload.")]
    public SelectorKey Modify(int fd, Interest interest, Trigger? trigger = null)
    {
        ThrowIfDisposed();
        ValidateInterest(interest);
        SelectorKey key = _registrations.Find(fd) ?? throw new NotRegisteredException(fd);
        Trigger newTrigger = trigger ?? key.Trigger;
        ValidateTrigger(newTrigger);
        ValidateRegistration(fd, interest);
        if (key.Interest == interest && key.Trigger == newTrigger && key.Armed)
        {
            return key;
        }
        (Interest oldInterest, Trigger oldTrigger, bool oldArmed) = (key.Interest, key.Trigger, key.Armed);
        key.Interest = interest;
        key.Trigger = newTrigger;
        key.Armed = true;
        try
        {
            ModifyInKernel(key);
        }
        catch
        {
            (key.Interest, key.Trigger, key.Armed) = (oldInterest, oldTrigger, oldArmed);
            throw;
        }
        return key;
    }

    /// <summary>
    /// Changes what <paramref name="handle"/>'s descriptor is watched for, however it was registered; as
    /// <see cref="Modify(int, Interest, Trigger?)"/> otherwise.
    /// </summary>
    /// <param name="handle">An open handle whose descriptor is registered.</param>
    /// <param name="interest">What to report from now on; see <see cref="Register(int, Interest, object?, Trigger)"/>.</param>
    /// <param name="trigger">The new trigger, or <see langword="null"/> to keep the registration's.</param>
    /// <returns>The registration's key: the same object <c>Register</c> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handle"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="handle"/> is closed, or the selector is disposed.</exception>
    /// <exception cref="NotRegisteredException">The descriptor is not registered.</exception>
    /// <exception cref="ArgumentException"><paramref name="interest"/> is <see cref="Interest.None"/> or has unknown bits.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trigger"/> is not a <see cref="Trigger"/> value.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="SyscallException">The kernel refused the change.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the descriptor, never by how many arguments follow it, so a call never binds to another overload.")]
    public SelectorKey Modify(SafeHandle handle, Interest interest, Trigger? trigger = null) =>
        Modify(OpenNumber(handle), interest, trigger);

    /// <summary>
    /// Changes what <paramref name="socket"/>'s descriptor is watched for, however it was registered; as
    /// <see cref="Modify(int, Interest, Trigger?)"/> otherwise.
    /// </summary>
    /// <param name="socket">A socket that is not disposed, whose descriptor is registered.</param>
    /// <param name="interest">What to report from now on; see <see cref="Register(int, Interest, object?, Trigger)"/>.</param>
    /// <param name="trigger">The new trigger, or <see langword="null"/> to keep the registration's.</param>
    /// <returns>The registration's key: the same object <c>Register</c> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="socket"/> is disposed, or the selector is.</exception>
    /// <exception cref="NotRegisteredException">The descriptor is not registered.</exception>
    /// <exception cref="ArgumentException"><paramref name="interest"/> is <see cref="Interest.None"/> or has unknown bits.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trigger"/> is not a <see cref="Trigger"/> value.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="SyscallException">The kernel refused the change.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the descriptor, never by how many arguments follow it, so a call never binds to another overload.")]
    public SelectorKey Modify(Socket socket, Interest interest, Trigger? trigger = null) =>
        Modify(OpenNumber(socket), interest, trigger);

    /// <summary>
    /// Stops watching the descriptor numbered <paramref name="fd"/>. Works even if the descriptor was already closed.
    /// The key the registration had stops being valid (see <see cref="SelectorKey"/>), and a handle it was
    /// registered with is released.
    /// </summary>
    /// <param name="fd">A registered descriptor.</param>
    /// <exception cref="NotRegisteredException"><paramref name="fd"/> is not registered.</exception>
    /// <exception cref="ObjectDisposedException">The selector is disposed.</exception>
    public void Unregister(int fd)
    {
        ThrowIfDisposed();
        SelectorKey key = _registrations.Find(fd) ?? throw new NotRegisteredException(fd);
        RemoveFromKernel(key);
        _registrations.Remove(key);
        key.Retire();
        if (_keyPool.Count < KeyPoolLimit)
        {
            _keyPool.Push(key);
        }
    }

    /// <summary>
    /// Stops watching <paramref name="handle"/>'s descriptor, however it was registered; as <see cref="Unregister(int)"/>
    /// otherwise. A handle registered through <see cref="Register(SafeHandle, Interest, object?, Trigger)"/> and disposed
    /// by its owner since is still open (the registration's reference keeps it so), is accepted, and closes now.
    /// </summary>
    /// <param name="handle">An open handle whose descriptor is registered.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handle"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="handle"/> is closed (its number may name another descriptor by now: unregister by the number its key holds, <c>Unregister(key.Fd)</c>), or the selector is disposed.</exception>
    /// <exception cref="NotRegisteredException">The descriptor is not registered.</exception>
    public void Unregister(SafeHandle handle) => Unregister(OpenNumber(handle));

    /// <summary>
    /// Stops watching <paramref name="socket"/>'s descriptor, however it was registered; as <see cref="Unregister(int)"/>
    /// otherwise. Call it before disposing the socket.
    /// </summary>
    /// <param name="socket">A socket that is not disposed, whose descriptor is registered.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="socket"/> is disposed (its number may name another descriptor by now: unregister by the number its key holds, <c>Unregister(key.Fd)</c>), or the selector is disposed.</exception>
    /// <exception cref="NotRegisteredException">The descriptor is not registered.</exception>
    public void Unregister(Socket socket) => Unregister(OpenNumber(socket));

    /// <summary>
    /// Waits until a registered descriptor is ready, <see cref="Wake"/> is called, or
    /// <paramref name="timeout"/> passes (<see cref="TimeSpan.Zero"/>: just poll;
    /// <see cref="Timeout.InfiniteTimeSpan"/>: no limit). Timeouts round up to whole milliseconds;
    /// a signal does not end the wait early. Allocates nothing.
    /// </summary>
    /// <param name="events">Where the events land; at most its length are reported per wait, the rest wait for the next one.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>
    /// The events of this wait, over <paramref name="events"/>: valid until the next wait writes into that span.
    /// Enumerate it with <c>foreach</c> to skip events made stale by earlier handlers of the same batch.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="events"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    /// <exception cref="SyscallException">The wait failed in the kernel.</exception>
    /// <exception cref="ObjectDisposedException">The selector is disposed.</exception>
    public ReadyEvents Wait(Span<SelectorEvent> events, TimeSpan timeout)
    {
        ThrowIfDisposed();
        if (events.IsEmpty)
        {
            throw new ArgumentException("the event buffer is empty; pass a span with room for at least one event", nameof(events));
        }
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        if (timeout < TimeSpan.Zero && !infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout is negative; use TimeSpan.Zero to poll or Timeout.InfiniteTimeSpan to wait without limit");
        }
        // Only a finite, nonzero timeout reads the clock (to wait out what remains after an interruption).
        bool timed = !infinite && timeout != TimeSpan.Zero;
        long start = timed ? Stopwatch.GetTimestamp() : 0;
        while (true)
        {
            int timeoutMs = infinite ? -1 : timed ? RemainingMilliseconds(timeout, start) : 0;
            int count = WaitInKernel(events, timeoutMs, out bool woken);
            if (count > 0 || woken || timeoutMs == 0)
            {
                return new ReadyEvents(events[..Math.Max(count, 0)]);
            }
            // Interrupted (EINTR), only stale events, or the kernel's clock ran short of ours: wait out the rest.
            if (timed && RemainingMilliseconds(timeout, start) == 0)
            {
                return default;
            }
        }
    }

    /// <summary>
    /// The event loop's turn: one wait of at most <paramref name="timeout"/> (valid, as <see cref="Wait"/> takes it), then each
    /// current event's <see cref="SelectorKey.Handler"/> called with its readiness, checked as enumerating
    /// <see cref="ReadyEvents"/> checks it. May return early (a signal, or only stale events), which a loop that
    /// waits again tolerates. A backend that can check and call as it reads the kernel's answer overrides it, so no
    /// event is copied into <paramref name="scratch"/> first. Returns how many events the wait returned (those an earlier handler made stale included).
    /// </summary>
    internal virtual int WaitAndDispatch(Span<SelectorEvent> scratch, TimeSpan timeout)
    {
        ReadyEvents ready = Wait(scratch, timeout);
        foreach (SelectorEvent ev in ready)
        {
            ev.Key.Handler?.OnReady(ev.Readiness);
        }
        return ready.Count;
    }

    /// <summary>Makes a wait in progress (or the next one) return at once. Safe from any thread.</summary>
    /// <exception cref="ObjectDisposedException">The selector is disposed.</exception>
    public void Wake()
    {
        ThrowIfDisposed();
        _wake.Signal();
    }

    /// <summary>
    /// Ends every registration (releasing the handles they hold, never closing a raw descriptor or a socket) and
    /// closes the selector's own descriptors. Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the selector's resources; a backend overrides it to close its own kernel objects.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="Dispose()"/>; <see langword="false"/> from a finalizer.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (disposing)
        {
            foreach (SelectorKey key in _registrations.Keys)
            {
                key.Retire();
            }
            _registrations.Clear();
            _wake.Dispose();
        }
    }

    /// <summary>The readiness a caller sees: what it asked for, plus what the kernel always reports.</summary>
    internal static Readiness Visible(Interest interest, Readiness readiness) =>
        readiness & ((Readiness)interest | AlwaysReported);

    // What backends share.

    private protected RegistrationTable Table => _registrations;

    /// <summary>How often this selector changed what the kernel watches (a system call, a ring entry, an entry of the set each wait hands over): lets tests prove a no-op costs nothing.</summary>
    internal long KernelChanges { get; private protected set; }

    private protected int WakeFd => _wake.Fd;

    private protected void DrainWake() => _wake.Drain();

    /// <summary>Backend hook: add a validated key to the kernel's view; throw (leaving nothing behind) if it cannot be.</summary>
    private protected abstract void AddToKernel(SelectorKey key);

    /// <summary>Backend hook: the key's interest, trigger or armed state changed.</summary>
    private protected abstract void ModifyInKernel(SelectorKey key);

    /// <summary>Backend hook: forget the key; a descriptor already closed is not an error.</summary>
    private protected abstract void RemoveFromKernel(SelectorKey key);

    /// <summary>
    /// Backend hook: one wait of at most <paramref name="timeoutMs"/> (-1: no limit). Returns the events written,
    /// or -1 when interrupted by a signal; sets <paramref name="woken"/> when the wake signal was drained.
    /// A one-shot key that delivers an event must be left disarmed.
    /// </summary>
    private protected abstract int WaitInKernel(Span<SelectorEvent> events, int timeoutMs, out bool woken);

    /// <summary>Backend hook: reject a descriptor or interest this backend cannot watch, before anything changes.</summary>
    private protected virtual void ValidateRegistration(int fd, Interest interest)
    {
    }

    private protected static SelectorEvent Event(SelectorKey key, Readiness readiness) => new(key, readiness);

    /// <summary>select and poll learn nothing from the kernel at registration: ask whether the descriptor is open.</summary>
    private protected static void EnsureOpen(int fd) =>
        LastError.Check(Libc.Fcntl(fd, Constants.F_GETFD, 0), "fcntl(F_GETFD)", fd);

    private SelectorKey RegisterCore(int fd, SafeHandle? handle, Interest interest, object? state, Trigger trigger)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        ValidateInterest(interest);
        ValidateTrigger(trigger);
        if (_registrations.Find(fd) is not null)
        {
            throw new AlreadyRegisteredException(fd);
        }
        ValidateRegistration(fd, interest);
        uint generation = ++_lastGeneration;
        if (generation == 0)
        {
            generation = ++_lastGeneration; // 0 means "unregistered"
        }
        // From here the key owns a reference on the handle; Retire releases it, on failure as on Unregister.
        bool added = false;
        handle?.DangerousAddRef(ref added);
        SelectorKey key;
        if (_keyPool.TryPop(out SelectorKey? reused))
        {
            reused.Reset(fd, interest, trigger, state, generation, handle);
            key = reused;
        }
        else
        {
            key = new SelectorKey(fd, interest, trigger, state, generation, handle);
        }
        try
        {
            AddToKernel(key);
        }
        catch
        {
            key.Retire();
            _keyPool.Push(key);
            throw;
        }
        _registrations.Add(key);
        return key;
    }

    /// <summary>The descriptor number of a handle that is still open (a closed one's number may name another descriptor by now).</summary>
    private static int OpenNumber(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);
        return (int)handle.DangerousGetHandle();
    }

    /// <summary>The descriptor number of a socket that is not disposed.</summary>
    private static int OpenNumber(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ObjectDisposedException.ThrowIf(socket.SafeHandle.IsClosed, socket);
        return (int)socket.Handle;
    }

    private static void ValidateInterest(Interest interest)
    {
        if (interest == Interest.None)
        {
            throw new ArgumentException("the interest is empty; ask for at least one of Read, Write, Priority or ReadHangup (or Unregister)", nameof(interest));
        }
        if ((interest & ~AllInterests) != 0)
        {
            throw new ArgumentException($"the interest has unknown bits (0x{(int)interest:x}); use Read, Write, Priority and ReadHangup", nameof(interest));
        }
    }

    private void ValidateTrigger(Trigger trigger)
    {
        if (!Enum.IsDefined(trigger))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "unknown trigger; use Level, Edge or OneShot");
        }
        if (!Supports(trigger))
        {
            throw new NotSupportedException($"the {Backend.ToString().ToLowerInvariant()} backend does not support {trigger} triggering; use Level or OneShot, or the epoll backend");
        }
    }

    /// <summary>A valid timeout as one wait's milliseconds (-1: no limit), rounded up.</summary>
    private protected static int TimeoutMilliseconds(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? -1 : timeout == TimeSpan.Zero ? 0 : RemainingMilliseconds(timeout, Stopwatch.GetTimestamp());

    private static int RemainingMilliseconds(TimeSpan timeout, long start)
    {
        TimeSpan remaining = timeout - Stopwatch.GetElapsedTime(start);
        if (remaining <= TimeSpan.Zero)
        {
            return 0;
        }
        // Round up: a 0.1 ms timeout must not become a busy poll, and a 2.5 ms one must not end at 2.
        double ms = Math.Ceiling(remaining.Ticks / (double)TimeSpan.TicksPerMillisecond);
        return ms >= int.MaxValue ? int.MaxValue : (int)ms;
    }

    /// <summary>True once disposed: every registration went with it.</summary>
    internal bool IsDisposed => _disposed;

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
