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
    private const int MaxRounds = 50;
    private const int CleanRoundsToTry = 4;

    /// <summary>
    /// Runs <paramref name="round"/> (which returns the bytes it saw allocated) until a round with no collection in
    /// it allocates nothing; returns 0 then, or the least any collection-free round allocated.
    /// </summary>
    public static long InACleanRound(Func<long> round)
    {
        var seen = new List<long>();
        long least = long.MaxValue;
        int clean = 0;
        for (int i = 0; i < MaxRounds && clean < CleanRoundsToTry; i++)
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
        Assert.True(clean > 0, $"a garbage collection ran through each of {MaxRounds} rounds (bytes seen: {string.Join(", ", seen)}); nothing was proven");
        return least;
    }
}
