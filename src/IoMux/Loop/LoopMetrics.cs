using System.Diagnostics;

namespace IoMux;

/// <summary>
/// One loop's records on the <see cref="IoMuxMetrics"/> loop instruments, tagged with its name: waits, events per
/// wait, time waiting in the kernel and busy between waits, and the lag of posted work and timers. Every record
/// checks that someone listens first, so a loop nobody watches reads no extra clock and allocates nothing.
/// </summary>
internal sealed class LoopMetrics(string loopName)
{
    private readonly KeyValuePair<string, object?> _loop = new("iomux.loop", loopName);
    private long _waitStarted;
    private long _busySince;

    /// <summary>Whether anyone listens to what <see cref="WaitEnded"/> records (then a turn collects its events before calling their handlers).</summary>
    public static bool ObservesWaits => IoMuxMetrics.LoopWaits.Enabled || IoMuxMetrics.LoopEventsPerWait.Enabled || IoMuxMetrics.LoopTime.Enabled;

    /// <summary>Whether posted work should carry its posting time.</summary>
    public static bool MeasuresLag => IoMuxMetrics.LoopLag.Enabled;

    public void WaitStarting()
    {
        if (!IoMuxMetrics.LoopTime.Enabled)
        {
            _busySince = 0;
            return;
        }
        long now = Stopwatch.GetTimestamp();
        if (_busySince != 0)
        {
            IoMuxMetrics.LoopTime.Add(Stopwatch.GetElapsedTime(_busySince, now).TotalSeconds, _loop, new("iomux.loop.state", "busy"));
        }
        _waitStarted = now;
    }

    /// <summary>The wait returned at <paramref name="now"/> (the turn's timestamp) with <paramref name="events"/> events.</summary>
    public void WaitEnded(long now, int events)
    {
        if (IoMuxMetrics.LoopWaits.Enabled)
        {
            IoMuxMetrics.LoopWaits.Add(1, _loop);
        }
        if (IoMuxMetrics.LoopEventsPerWait.Enabled)
        {
            IoMuxMetrics.LoopEventsPerWait.Record(events, _loop);
        }
        if (IoMuxMetrics.LoopTime.Enabled && _waitStarted != 0)
        {
            IoMuxMetrics.LoopTime.Add(Stopwatch.GetElapsedTime(_waitStarted, now).TotalSeconds, _loop, new("iomux.loop.state", "waiting"));
            _busySince = now;
        }
        _waitStarted = 0;
    }

    /// <summary>A posted action starts; <paramref name="postedAt"/> is 0 when nobody measured lag as it was posted.</summary>
    public void PostedRuns(long postedAt)
    {
        if (postedAt != 0 && IoMuxMetrics.LoopLag.Enabled)
        {
            IoMuxMetrics.LoopLag.Record(Stopwatch.GetElapsedTime(postedAt).TotalSeconds, _loop, new("iomux.work", "posted"));
        }
    }

    /// <summary>A timer due at <paramref name="due"/> fires at <paramref name="now"/>.</summary>
    public void TimerRuns(long due, long now)
    {
        if (IoMuxMetrics.LoopLag.Enabled)
        {
            IoMuxMetrics.LoopLag.Record(Stopwatch.GetElapsedTime(due, Math.Max(now, due)).TotalSeconds, _loop, new("iomux.work", "timer"));
        }
    }
}
