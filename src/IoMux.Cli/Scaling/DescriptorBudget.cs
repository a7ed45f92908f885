namespace IoMux.Cli.Scaling;

/// <summary>
/// Fits the requested pair counts under the descriptor limit: N pairs hold 2N descriptors, beside those
/// already open and the selector's own. A size that does not fit is capped to the largest that does.
/// </summary>
internal static class DescriptorBudget
{
    /// <summary>Room for the selector (epoll fd, wake eventfd) and what the runtime opens meanwhile.</summary>
    public const int Reserve = 32;

    private const int Granularity = 256;

    public static (IReadOnlyList<int> Sizes, IReadOnlyList<string> Notes) Fit(IReadOnlyList<int> requested, ulong limit, int open)
    {
        long room = ((long)Math.Min(limit, int.MaxValue) - open - Reserve) / 2;
        int largest = room >= Granularity ? (int)(room / Granularity * Granularity) : (int)Math.Max(room, 0);
        var sizes = new SortedSet<int>();
        var notes = new List<string>();
        foreach (int n in requested.Distinct().Order())
        {
            if (n <= largest)
            {
                sizes.Add(n);
                continue;
            }
            string need = $"N={n} needs {2L * n} descriptors but the limit is {limit} ({open} already open)";
            if (largest < 1)
            {
                notes.Add($"{need}: skipped, no pair fits; raise the hard limit (ulimit -Hn) and run again");
            }
            else if (sizes.Add(largest))
            {
                notes.Add($"{need}: capped to N={largest}, the largest multiple of {Granularity} that fits");
            }
            else
            {
                notes.Add($"{need}: skipped, N={largest} (the cap) is already measured");
            }
        }
        return ([.. sizes], notes);
    }
}
