using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace IoMux;

/// <summary>
/// One thread, one <see cref="Selector"/>: waits for readiness, dispatches each event to the
/// <see cref="ILoopHandler"/> registered for it, then runs re-queued handlers, due timers and
/// actions posted from other threads, and waits again — until <see cref="Stop"/>.
/// </summary>
/// <remarks>
/// Everything except <see cref="Post"/>, <see cref="Stop"/> and the read-only properties belongs to the loop
/// thread (or to the owner before <see cref="Run"/> starts). A turn's wait blocks no longer than the
/// nearest timer, and not at all while re-queued handlers or posted actions are waiting.
/// Steady state allocates nothing: events land in a buffer the loop owns and re-queues reuse an array.
/// </remarks>
public sealed class EventLoop : IDisposable
{
    private static readonly double StopwatchTicksPerTimeSpanTick = Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond;

    private readonly ConcurrentQueue<Posted> _posted = new();
    private readonly TimerHeap _timers = new();
    private readonly SelectorEvent[] _events;
    private readonly ILoopTrace? _trace;
    private Requeued[] _requeued = new Requeued[16];
    private Requeued[] _draining = new Requeued[16];
    private int _requeuedCount;
    private long _nextSequence;
    private long _turnTimestamp;
    private readonly LoopMetrics _metrics;
    private CompletionQueue? _completions;
    private int _threadId;
    private volatile bool _stopRequested;
    private volatile bool _disposed;
    private int _selectorClosed;

    /// <summary>Creates a loop on a new selector of <paramref name="backend"/>; the loop owns and disposes it.</summary>
    /// <param name="backend">The selector's backend.</param>
    /// <param name="name">A name for traces, metrics (the <c>iomux.loop.name</c> tag) and the thread an <see cref="EventLoopGroup"/> runs it on.</param>
    /// <param name="trace">Told of every wait and its events, or <see langword="null"/>.</param>
    /// <param name="eventsPerWait">How many events one wait can return; the rest wait for the next turn.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eventsPerWait"/> is less than 1, or <paramref name="backend"/> is not a <see cref="SelectorBackend"/> value.</exception>
    /// <exception cref="Native.SyscallException">The selector could not be created (see <see cref="Selector.Create"/>).</exception>
    /// <exception cref="NotSupportedException">io_uring lacks what the selector needs (see <see cref="Selector.Create"/>).</exception>
    public EventLoop(SelectorBackend backend = SelectorBackend.Auto, string name = "loop", ILoopTrace? trace = null, int eventsPerWait = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(eventsPerWait, 1);
        Selector = Selector.Create(backend);
        Name = name;
        _metrics = new LoopMetrics(name);
        _trace = trace;
        _events = new SelectorEvent[eventsPerWait];
    }

    /// <summary>
    /// The selector this loop waits on, owned by the loop. Register through <see cref="Register"/> so events reach a
    /// handler; modify and unregister through the selector itself, on the loop thread. Waiting on it is the loop's
    /// alone: its turn may hand events to their handlers straight from the selector's buffer, which another wait would
    /// overwrite.
    /// </summary>
    public Selector Selector { get; }

    /// <summary>The name given at creation, for traces, metrics and thread names.</summary>
    public string Name { get; }

    /// <summary>True while <see cref="Run"/> is executing on some thread.</summary>
    public bool IsRunning => Volatile.Read(ref _threadId) != 0;

    /// <summary>True when called from the thread running this loop.</summary>
    public bool IsLoopThread => Volatile.Read(ref _threadId) == Environment.CurrentManagedThreadId;

    /// <summary>
    /// Stopwatch timestamp of this turn, read at its first use after the turn's wait returned: the clock for
    /// per-event bookkeeping (a connection's last activity), read at most once per turn instead of once per read and
    /// write, and not at all in a turn nobody asks (a clock read costs more than dispatching a batch of events). Behind
    /// the true time by at most the turn's own length, as libuv's uv_now is.
    /// </summary>
    internal long TurnTimestamp => _turnTimestamp != 0 ? _turnTimestamp : _turnTimestamp = Stopwatch.GetTimestamp();

    /// <summary>
    /// Whether a loop on <paramref name="backend"/> can serve <paramref name="model"/> here, and if not, why:
    /// readiness runs wherever the backend does; completion needs io_uring with rings of provided buffers.
    /// </summary>
    /// <param name="model">The I/O model to ask about.</param>
    /// <param name="backend">The selector backend the loop would run on.</param>
    /// <param name="reason">When this returns <see langword="false"/>, one line naming the refusal; otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when such a loop can serve the model.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="model"/> or <paramref name="backend"/> is not a value of its enum.</exception>
    public static bool IsAvailable(IoModel model, SelectorBackend backend, [NotNullWhen(false)] out string? reason)
    {
        if (!Selector.IsAvailable(backend, out reason))
        {
            return false;
        }
        reason = model switch
        {
            IoModel.Readiness => null,
            IoModel.Completion => CompletionAvailability.RefusalFor(backend),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown I/O model; use Readiness or Completion"),
        };
        return reason is null;
    }

    /// <summary>Whether this loop can serve <paramref name="model"/> (see <see cref="IsAvailable"/>).</summary>
    /// <param name="model">The I/O model to ask about.</param>
    /// <returns><see langword="true"/> when it can.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="model"/> is not an <see cref="IoModel"/> value.</exception>
    public bool Supports(IoModel model) => IsAvailable(model, Selector.Backend, out _);

    /// <summary>
    /// The loop's completion queue, created on first use (it registers 4 MiB of shared receive buffers); throws
    /// <see cref="NotSupportedException"/> with the reason where <see cref="IoModel.Completion"/> cannot run.
    /// </summary>
    internal CompletionQueue Completions
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _completions ??= CompletionQueue.Create(Selector);
        }
    }

    /// <summary>How many timers wait to fire (cancelled ones are removed at once).</summary>
    public int PendingTimers => _timers.Count;

    /// <summary>
    /// Registers <paramref name="handle"/>'s descriptor with the loop's selector, its events going to
    /// <paramref name="handler"/>. Loop thread only (or before <see cref="Run"/> starts); as
    /// <see cref="Selector.Register(SafeHandle, Interest, object?, Trigger)"/> otherwise.
    /// </summary>
    /// <param name="handle">An open handle; held by the selector until it is unregistered.</param>
    /// <param name="interest">What to report.</param>
    /// <param name="handler">Called on the loop thread with each event's readiness; it is the key's <see cref="SelectorKey.State"/>.</param>
    /// <param name="trigger">How readiness is reported.</param>
    /// <returns>The registration's key, valid until it is unregistered (see <see cref="SelectorKey"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handle"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    /// <exception cref="ObjectDisposedException">The loop or <paramref name="handle"/> is disposed.</exception>
    /// <exception cref="AlreadyRegisteredException">The descriptor is already registered.</exception>
    /// <exception cref="NotSupportedException">The backend lacks <paramref name="trigger"/>.</exception>
    /// <exception cref="Native.SyscallException">The kernel refused the registration.</exception>
    public SelectorKey Register(SafeHandle handle, Interest interest, ILoopHandler handler, Trigger trigger = Trigger.Level)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfForeignThread();
        return Selector.Register(handle, interest, handler, trigger);
    }

    /// <summary>
    /// Runs <paramref name="handler"/> again next turn with <paramref name="readiness"/>, without waiting for the
    /// kernel: how an edge-triggered handler that stopped at its budget, with data still unread, keeps its place
    /// without starving the others. Loop thread only.
    /// </summary>
    /// <param name="handler">The handler to run.</param>
    /// <param name="readiness">The readiness to hand it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public void Requeue(ILoopHandler handler, Readiness readiness)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Debug.Assert(!IsRunning || IsLoopThread, "Requeue from a foreign thread");
        if (_requeuedCount == _requeued.Length)
        {
            Array.Resize(ref _requeued, _requeued.Length * 2);
        }
        _requeued[_requeuedCount++] = new Requeued(handler, readiness);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the loop thread at its next turn, waking the loop if it waits. Any thread.
    /// Actions run in the order posted; an exception one throws ends <see cref="Run"/>.
    /// </summary>
    /// <param name="action">The work to run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _posted.Enqueue(new Posted(action, LoopMetrics.MeasuresLag ? Stopwatch.GetTimestamp() : 0));
        Selector.Wake();
    }

    /// <summary>A timer that runs <paramref name="callback"/> once on the loop thread, <paramref name="delay"/> from now. Loop thread only.</summary>
    /// <param name="delay">How long from now; <see cref="TimeSpan.Zero"/> runs it next turn.</param>
    /// <param name="callback">The work to run; an exception it throws ends <see cref="Run"/>.</param>
    /// <returns>The pending timer, which the caller may cancel or re-arm.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    public LoopTimer Schedule(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfForeignThread();
        var timer = new LoopTimer(this, callback, TimeSpan.Zero);
        RescheduleTimer(timer, delay);
        return timer;
    }

    /// <summary>
    /// A timer that runs <paramref name="callback"/> on the loop thread every <paramref name="interval"/> until
    /// cancelled; missed periods are skipped, not bunched. Loop thread only.
    /// </summary>
    /// <param name="interval">The period, also the delay before the first run.</param>
    /// <param name="callback">The work to run; an exception it throws ends <see cref="Run"/>.</param>
    /// <returns>The pending timer, which the caller may cancel or re-arm.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    public LoopTimer ScheduleRepeating(TimeSpan interval, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "a repeating timer needs a positive interval");
        }
        ThrowIfForeignThread();
        var timer = new LoopTimer(this, callback, interval);
        RescheduleTimer(timer, interval);
        return timer;
    }

    /// <summary>
    /// Runs turns on the calling thread until <see cref="Stop"/>. Actions posted before the stop still run. An
    /// exception a handler, timer or posted action throws ends the loop and propagates from here; the loop can be
    /// run again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is already running on some thread.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    /// <exception cref="Native.SyscallException">A wait failed in the kernel.</exception>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _threadId, Environment.CurrentManagedThreadId, 0) != 0)
        {
            throw new InvalidOperationException($"event loop '{Name}' is already running; a loop runs on one thread");
        }
        try
        {
            long clock = 0;
            while (!_stopRequested)
            {
                clock = RunTurn(clock);
            }
            RunPosted();
        }
        finally
        {
            _stopRequested = false;
            try
            {
                if (_disposed)
                {
                    CloseSelector(); // disposed from inside a turn: the selector outlived the turn, and goes now
                }
            }
            finally
            {
                Volatile.Write(ref _threadId, 0);
            }
        }
    }

    /// <summary>Makes <see cref="Run"/> return after its current turn (or at once, if called before it starts). Any thread.</summary>
    public void Stop()
    {
        _stopRequested = true;
        if (_disposed)
        {
            return; // a disposed loop has no wait to end
        }
        try
        {
            Selector.Wake();
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile (from its own thread, or another): it has stopped, which is all Stop asks.
        }
    }

    /// <summary>
    /// Stops the loop, waits for its thread to leave <see cref="Run"/>, and closes the selector. Called on the loop
    /// thread (from a handler, a timer or a posted action) it returns at once: the rest of the turn still runs on a
    /// live selector, actions posted before still run, and the selector is closed as <see cref="Run"/> returns.
    /// Either way every later call but <see cref="Stop"/>, <see cref="Dispose"/> and the properties throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        if (IsLoopThread)
        {
            _disposed = true;
            _stopRequested = true;
            return;
        }
        if (IsRunning)
        {
            Stop();
            var spin = new SpinWait();
            while (IsRunning)
            {
                spin.SpinOnce(sleep1Threshold: 20);
            }
        }
        _disposed = true;
        CloseSelector();
    }

    /// <summary>Once, from whichever of <see cref="Dispose"/> and the end of <see cref="Run"/> gets there first.</summary>
    private void CloseSelector()
    {
        if (Interlocked.Exchange(ref _selectorClosed, 1) == 0)
        {
            // The completion queue first: it reaps on the selector until its connections let go of their sockets.
            _completions?.Dispose();
            Selector.Dispose();
        }
    }

    internal void RescheduleTimer(LoopTimer timer, TimeSpan delay)
    {
        ThrowIfForeignThread();
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a timer's delay cannot be negative");
        }
        if (timer.IsPending)
        {
            _timers.Remove(timer);
        }
        timer.Due = Stopwatch.GetTimestamp() + ToStopwatchTicks(delay);
        timer.Sequence = _nextSequence++;
        _timers.Add(timer);
    }

    internal void CancelTimer(LoopTimer timer)
    {
        if (_disposed)
        {
            return; // the timers went with the loop; a connection closed after it still cancels its own
        }
        ThrowIfForeignThread();
        if (timer.IsPending)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>
    /// One turn: wait (no longer than the nearest timer; not at all with work queued), dispatch, then re-queued
    /// handlers, due timers and posted actions. What <see cref="Run"/> repeats; a benchmark drives turns itself.
    /// </summary>
    internal void RunOnce() => RunTurn(0);

    /// <summary>
    /// One turn, its timeout measured against <paramref name="clock"/> when that is still the time (0: read the clock).
    /// Returns the clock the timers were judged by when nothing ran after it, for the next turn's timeout: one clock read
    /// per turn instead of two, and never a stale one after a callback that may have taken long.
    /// </summary>
    private long RunTurn(long clock)
    {
        TimeSpan timeout = NextTimeout(clock);
        _trace?.Waiting(this, timeout);
        _metrics.WaitStarting();
        if (_trace is null && !LoopMetrics.ObservesWaits)
        {
            // Nothing needs the events between the wait and their handlers: the selector may call each as it reads it.
            // The turn's clock is read lazily, and nothing reads it during the wait, so clearing it first is the same.
            _turnTimestamp = 0;
            Selector.WaitAndDispatch(_events, timeout);
        }
        else
        {
            ReadyEvents ready = Selector.Wait(_events, timeout);
            _turnTimestamp = 0;
            _metrics.WaitEnded(IoMuxMetrics.LoopTime.Enabled ? TurnTimestamp : 0, ready.Count);
            if (ready.Count > 0)
            {
                _trace?.Ready(this, ready.Raw);
            }
            foreach (SelectorEvent ev in ready)
            {
                ev.Key.Handler?.OnReady(ev.Readiness);
            }
        }
        if (_requeuedCount > 0)
        {
            RunRequeued();
        }
        clock = _timers.Count > 0 ? RunTimers() : 0;
        if (!_posted.IsEmpty)
        {
            RunPosted();
            clock = 0;
        }
        return clock;
    }

    private TimeSpan NextTimeout(long clock)
    {
        if (_requeuedCount > 0 || !_posted.IsEmpty || _stopRequested)
        {
            return TimeSpan.Zero;
        }
        if (_timers.Peek() is not { } next)
        {
            return Timeout.InfiniteTimeSpan;
        }
        long remaining = next.Due - (clock != 0 ? clock : Stopwatch.GetTimestamp());
        return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Ceiling(remaining / StopwatchTicksPerTimeSpanTick));
    }

    private void RunRequeued()
    {
        // Swap first: handlers that re-queue themselves now run next turn, after the kernel was asked again.
        int count = _requeuedCount;
        (_requeued, _draining) = (_draining, _requeued);
        _requeuedCount = 0;
        for (int i = 0; i < count; i++)
        {
            Requeued item = _draining[i];
            _draining[i] = default;
            item.Handler.OnReady(item.Readiness);
        }
    }

    /// <summary>Runs the due timers; returns the clock they were judged by, or 0 when a callback ran after it.</summary>
    private long RunTimers()
    {
        long now = Stopwatch.GetTimestamp();
        bool ran = false;
        // Timers (re)armed by a callback in this pass wait for the next turn, so a zero delay cannot spin here.
        long sequenceLimit = _nextSequence;
        while (_timers.Peek() is { } timer && timer.Due <= now && timer.Sequence < sequenceLimit)
        {
            _timers.Remove(timer);
            _metrics.TimerRuns(timer.Due, now);
            if (timer.Interval > TimeSpan.Zero)
            {
                long period = ToStopwatchTicks(timer.Interval);
                long due = timer.Due + period;
                timer.Due = due > now ? due : now + period;
                timer.Sequence = _nextSequence++;
                _timers.Add(timer);
            }
            ran = true;
            timer.Callback();
        }
        return ran ? 0 : now;
    }

    private void RunPosted()
    {
        // Only what was queued when the pass began: an action that posts again runs next turn.
        int count = _posted.Count;
        for (int i = 0; i < count && _posted.TryDequeue(out Posted posted); i++)
        {
            _metrics.PostedRuns(posted.PostedAt);
            posted.Action();
        }
    }

    private void ThrowIfForeignThread()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int owner = Volatile.Read(ref _threadId);
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException($"event loop '{Name}' belongs to its own thread; use Post to act on it from elsewhere");
        }
    }

    private static long ToStopwatchTicks(TimeSpan span) => (long)Math.Ceiling(span.Ticks * StopwatchTicksPerTimeSpanTick);

    private readonly record struct Requeued(ILoopHandler Handler, Readiness Readiness);

    /// <summary>A posted action, with the time it was posted when lag is measured (else 0).</summary>
    private readonly record struct Posted(Action Action, long PostedAt);
}
