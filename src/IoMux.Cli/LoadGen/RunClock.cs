using System.Diagnostics;

namespace IoMux.Cli.LoadGen;

/// <summary>
/// The run's schedule in Stopwatch timestamps, shared by all workers: traffic starts, measuring starts
/// after the warm-up, issuing stops at the end, and the server has until the drain deadline to echo the rest.
/// Workers decide per message which window it completed in, so no phase change needs to be signalled.
/// </summary>
internal sealed class RunClock
{
    private readonly long _drainTicks;
    private long _measureStart = long.MaxValue;
    private long _measureEnd = long.MaxValue;

    public RunClock(TimeSpan drainTimeout) => _drainTicks = ToTicks(drainTimeout);

    public long MeasureStart => Volatile.Read(ref _measureStart);

    public long MeasureEnd => Volatile.Read(ref _measureEnd);

    public long DrainDeadline => MeasureEnd == long.MaxValue ? long.MaxValue : MeasureEnd + _drainTicks;

    /// <summary>Called once, just before the workers are released.</summary>
    public void Schedule(long now, TimeSpan warmup, TimeSpan duration)
    {
        long start = now + ToTicks(warmup);
        Volatile.Write(ref _measureStart, start);
        Volatile.Write(ref _measureEnd, start + ToTicks(duration));
    }

    /// <summary>Ends the measurement now (cancellation); a window not yet started becomes empty.</summary>
    public void EndNow()
    {
        long now = Stopwatch.GetTimestamp();
        if (now < MeasureStart)
        {
            Volatile.Write(ref _measureStart, now);
        }
        if (now < MeasureEnd)
        {
            Volatile.Write(ref _measureEnd, now);
        }
    }

    public static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static long TicksToNanoseconds(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));
}
