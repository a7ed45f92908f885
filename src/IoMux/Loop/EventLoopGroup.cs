namespace IoMux;

/// <summary>
/// N event loops, each on its own thread with its own selector. A server gives every loop its own
/// SO_REUSEPORT listener, so the kernel spreads connections across loops and no lock is shared.
/// </summary>
public sealed class EventLoopGroup : IDisposable
{
    private readonly EventLoop[] _loops;
    private readonly Thread?[] _threads;
    private Exception? _fault;
    private int _disposed;

    /// <summary>Creates <paramref name="count"/> loops, named <c>loop-0</c>, <c>loop-1</c>…, each on its own selector; none runs until <see cref="Start"/>.</summary>
    /// <param name="count">How many loops (and, once started, threads).</param>
    /// <param name="backend">Every loop's selector backend.</param>
    /// <param name="trace">Told of every loop's waits, on each loop's thread; or <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1, or <paramref name="backend"/> is not a <see cref="SelectorBackend"/> value.</exception>
    /// <exception cref="Native.SyscallException">A selector could not be created; the loops made before it are disposed.</exception>
    public EventLoopGroup(int count, SelectorBackend backend = SelectorBackend.Auto, ILoopTrace? trace = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _loops = new EventLoop[count];
        _threads = new Thread?[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                _loops[i] = new EventLoop(backend, $"loop-{i}", trace);
            }
        }
        catch
        {
            foreach (EventLoop? loop in _loops)
            {
                loop?.Dispose();
            }
            throw;
        }
    }

    /// <summary>The loops, in index order; the group owns them.</summary>
    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>The first exception that escaped a loop (the group is stopped when one does), or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Raised on the failing loop's thread when an exception escapes a loop; the group then stops.</summary>
    public event EventHandler<Exception>? Faulted;

    /// <summary>Starts one background thread per loop, named <c>iomux-</c> and the loop's name.</summary>
    /// <exception cref="InvalidOperationException">The group is already started.</exception>
    /// <exception cref="ObjectDisposedException">The group is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        for (int i = 0; i < _loops.Length; i++)
        {
            if (_threads[i] is not null)
            {
                throw new InvalidOperationException("the event loop group is already started");
            }
            EventLoop loop = _loops[i];
            _threads[i] = new Thread(() => RunLoop(loop)) { IsBackground = true, Name = $"iomux-{loop.Name}" };
            _threads[i]!.Start();
        }
    }

    /// <summary>Asks every loop to stop after its current turn. Any thread.</summary>
    public void Stop()
    {
        foreach (EventLoop loop in _loops)
        {
            loop.Stop();
        }
    }

    /// <summary>
    /// Waits for every loop thread to end (<see cref="Timeout.InfiniteTimeSpan"/>: without limit); false if one was
    /// still running at <paramref name="timeout"/>. Not from a loop thread: it would wait for itself.
    /// </summary>
    /// <param name="timeout">How long to wait for all of them together; a negative one other than infinite only looks.</param>
    /// <returns><see langword="true"/> when every thread ended (or none was started).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public bool Join(TimeSpan timeout)
    {
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        DateTime deadline = infinite ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        foreach (Thread? thread in _threads)
        {
            // Infinite is -1 ms: it must reach Thread.Join as such, not be clamped to zero like a deadline passed.
            TimeSpan left = infinite ? Timeout.InfiniteTimeSpan : deadline - DateTime.UtcNow;
            if (thread is not null && !thread.Join(!infinite && left < TimeSpan.Zero ? TimeSpan.Zero : left))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Stops every loop, waits for the threads, and closes the selectors. Safe from a loop's own thread (a handler,
    /// a posted action, a <see cref="Faulted"/> handler): that thread is not waited for (it is the caller), and its
    /// loop closes its selector as it leaves <see cref="EventLoop.Run"/>. Only the first call does the work; a
    /// concurrent second one returns at once.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Stop();
        foreach (Thread? thread in _threads)
        {
            if (thread is not null && thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
        foreach (EventLoop loop in _loops)
        {
            loop.Dispose();
        }
    }

    private void RunLoop(EventLoop loop)
    {
        try
        {
            loop.Run();
        }
#pragma warning disable CA1031 // A loop thread must not take the process down; the owner learns of it through Faulted.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _fault, e, null);
            Stop();
            Faulted?.Invoke(this, e);
        }
    }
}
