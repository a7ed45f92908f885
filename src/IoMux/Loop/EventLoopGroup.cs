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
    private bool _disposed;

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

    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>The first exception that escaped a loop (the group is stopped when one does), or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Raised on the failing loop's thread when an exception escapes a loop; the group then stops.</summary>
    public event EventHandler<Exception>? Faulted;

    /// <summary>Starts one background thread per loop.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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

    /// <summary>Waits for every loop thread to end; false if one was still running at <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        foreach (Thread? thread in _threads)
        {
            TimeSpan left = timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : deadline - DateTime.UtcNow;
            if (thread is not null && !thread.Join(left < TimeSpan.Zero ? TimeSpan.Zero : left))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Stops every loop, waits for the threads, and closes the selectors.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Stop();
        Join(Timeout.InfiniteTimeSpan);
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
