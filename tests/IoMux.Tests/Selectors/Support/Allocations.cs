namespace IoMux.Tests.Selectors.Support;

/// <summary>
/// "Allocates nothing", measured honestly on a shared machine. The per-thread allocation counter is not exact
/// across a garbage collection (the thread's allocation context is handed back and taken again), and other tests
/// running in parallel cause collections all the time, so a round that a collection ran through is measured
/// again. The runtime also allocates a few bytes now and then on a thread for its own purposes (seen: 32 bytes
/// once in a whole suite run, inside a P/Invoke), so one round without any allocation is the proof; an allocation
/// per operation shows in every round.
/// </summary>
public static class Allocations
{
    private const int CleanRoundsToTry = 4;

    // Other tests' collections can fall in every one of 50 short rounds in a row (seen in CI): keep trying for a
    // while rather than a number of rounds, since only a collection-free round proves anything.
    private static readonly TimeSpan TryFor = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs <paramref name="round"/> (which returns the bytes it saw allocated) until a round with no collection in
    /// it allocates nothing; returns 0 then, or the least any collection-free round allocated.
    /// </summary>
    public static long InACleanRound(Func<long> round)
    {
        var seen = new List<long>();
        long least = long.MaxValue;
        int clean = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clean < CleanRoundsToTry && clock.Elapsed < TryFor)
        {
            int collections = GC.CollectionCount(0);
            long bytes = round();
            seen.Add(bytes);
            if (GC.CollectionCount(0) != collections)
            {
                continue;
            }
            if (bytes == 0)
            {
                return 0;
            }
            clean++;
            least = Math.Min(least, bytes);
        }
        Assert.True(clean > 0, $"a garbage collection ran through each of {seen.Count} rounds in {TryFor.TotalSeconds:0} s (bytes seen: {string.Join(", ", seen.Take(50))}); nothing was proven");
        return least;
    }
}
