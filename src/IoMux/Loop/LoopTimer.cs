namespace IoMux;

/// <summary>
/// A callback an <see cref="EventLoop"/> runs at a deadline, once or repeatedly. Create one with
/// <see cref="EventLoop.Schedule"/> or <see cref="EventLoop.ScheduleRepeating"/>; cancel, re-arm and
/// inspect it on the loop thread only (from elsewhere, <see cref="EventLoop.Post"/> the call).
/// </summary>
public sealed class LoopTimer
{
    private readonly EventLoop _loop;

    internal LoopTimer(EventLoop loop, Action callback, TimeSpan interval)
    {
        _loop = loop;
        Callback = callback;
        Interval = interval;
    }

    /// <summary>The period of a repeating timer; <see cref="TimeSpan.Zero"/> for a one-shot timer.</summary>
    public TimeSpan Interval { get; }

    /// <summary>True while the timer waits to fire; false once a one-shot timer fired, or after <see cref="Cancel"/>.</summary>
    public bool IsPending => HeapIndex >= 0;

    internal Action Callback { get; }

    /// <summary>Stopwatch timestamp at which the timer is due.</summary>
    internal long Due { get; set; }

    /// <summary>Order of scheduling: breaks ties between equal deadlines, first scheduled first fired.</summary>
    internal long Sequence { get; set; }

    internal int HeapIndex { get; set; } = -1;

    /// <summary>
    /// Stops the timer; a cancelled timer never fires (until re-armed). Cancelling twice is harmless, and so is
    /// cancelling after the loop was disposed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    public void Cancel() => _loop.CancelTimer(this);

    /// <summary>
    /// (Re-)arms the timer to fire after <paramref name="delay"/>, replacing any pending deadline; a repeating timer
    /// then keeps its <see cref="Interval"/> from there.
    /// </summary>
    /// <param name="delay">How long from now.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    /// <exception cref="ObjectDisposedException">The loop is disposed.</exception>
    public void Reschedule(TimeSpan delay) => _loop.RescheduleTimer(this, delay);
}
