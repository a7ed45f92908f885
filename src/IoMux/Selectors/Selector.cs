using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux;

/// <summary>
/// Watches many descriptors at once and reports which are ready: the C# peer of Python's
/// <c>selectors</c> and Rust's mio. One thread registers, modifies and waits; any thread may
/// call <see cref="Wake"/>. Create one with <see cref="Create"/>.
/// </summary>
/// <remarks>
/// Errors, each leaving the selector exactly as it was:
/// registering a registered descriptor — <see cref="AlreadyRegisteredException"/>;
/// modifying or unregistering an unknown one — <see cref="NotRegisteredException"/>;
/// a negative descriptor — <see cref="ArgumentOutOfRangeException"/>;
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

    /// <summary>Creates a selector on the given backend (<see cref="SelectorBackend.Auto"/>: epoll).</summary>
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

    /// <summary>Whether this backend can deliver the given trigger mode.</summary>
    public abstract bool Supports(Trigger trigger);

    /// <summary>The live registrations (a read-only view).</summary>
    public IReadOnlyCollection<SelectorKey> Registrations => _registrations;

    /// <summary>The registration of <paramref name="fd"/>, if any.</summary>
    public bool TryGetKey(int fd, [NotNullWhen(true)] out SelectorKey? key)
    {
        ThrowIfDisposed();
        key = _registrations.Find(fd);
        return key is not null;
    }

    /// <summary>Starts watching a raw descriptor. The caller keeps it open until it unregisters it.</summary>
    public SelectorKey Register(int fd, Interest interest, object? state = null, Trigger trigger = Trigger.Level) =>
        RegisterCore(fd, null, interest, state, trigger);

    /// <summary>Starts watching a handle's descriptor. The handle is kept alive (not closed) until it is unregistered.</summary>
    public SelectorKey Register(SafeHandle handle, Interest interest, object? state = null, Trigger trigger = Trigger.Level)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ObjectDisposedException.ThrowIf(handle.IsClosed, handle);
        return RegisterCore((int)handle.DangerousGetHandle(), handle, interest, state, trigger);
    }

    /// <summary>
    /// Starts watching a socket's descriptor. Unregister it before disposing the socket: unlike other handles,
    /// a socket's Dispose waits for every reference on its handle, so the selector holds none (holding one
    /// would make Dispose before Unregister hang), and a disposed socket's number may be reused.
    /// </summary>
    public SelectorKey Register(Socket socket, Interest interest, object? state = null, Trigger trigger = Trigger.Level)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ObjectDisposedException.ThrowIf(socket.SafeHandle.IsClosed, socket);
        return RegisterCore((int)socket.Handle, null, interest, state, trigger);
    }

    /// <summary>
    /// Changes what <paramref name="fd"/> is watched for (and optionally its trigger). Re-arms a one-shot
    /// registration. Asking for what is already in force makes no system call.
    /// </summary>
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

    /// <summary>Stops watching <paramref name="fd"/>. Works even if the descriptor was already closed.</summary>
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
    /// Waits until a registered descriptor is ready, <see cref="Wake"/> is called, or
    /// <paramref name="timeout"/> passes (<see cref="TimeSpan.Zero"/>: just poll;
    /// <see cref="Timeout.InfiniteTimeSpan"/>: no limit). Timeouts round up to whole milliseconds;
    /// a signal does not end the wait early. Allocates nothing.
    /// </summary>
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

    /// <summary>Makes a wait in progress (or the next one) return at once. Safe from any thread.</summary>
    public void Wake()
    {
        ThrowIfDisposed();
        _wake.Signal();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

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
