namespace IoMux.Cli.Scaling;

/// <summary>
/// One cell of the experiment. <see cref="Samples"/> holds the wall time of each timed chain; a cell that
/// could not run (select past FD_SETSIZE, K larger than N) has no samples and says why in <see cref="Skipped"/>.
/// </summary>
internal sealed record ScaleRow(
    SelectorBackend Backend,
    Trigger Trigger,
    int Pairs,
    int Active,
    int Writes,
    IReadOnlyList<TimeSpan> Samples,
    string? Skipped)
{
    public bool Ran => Skipped is null;

    /// <summary>The wake-ups one chain delivers: the K starting writes plus one per hand-off.</summary>
    public int Wakeups => Active + Writes;

    public TimeSpan Median => Ran ? MedianOf(Samples) : TimeSpan.Zero;

    /// <summary>Microseconds per wake-up (a double: TimeSpan's 100 ns ticks are too coarse for a division by ~1000).</summary>
    public double PerWakeupMicroseconds => Ran ? Median.TotalMicroseconds / Wakeups : 0;

    public string BackendName => Backend.ToString().ToLowerInvariant();

    public string TriggerName => Trigger.ToString().ToLowerInvariant();

    private static TimeSpan MedianOf(IReadOnlyList<TimeSpan> samples)
    {
        TimeSpan[] sorted = [.. samples.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
