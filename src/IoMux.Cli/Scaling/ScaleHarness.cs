namespace IoMux.Cli.Scaling;

/// <summary>
/// Runs the scaling experiment: raises the descriptor limit to its hard limit, fits the sizes under it,
/// and times every supported backend × trigger × N × K cell. Cells that cannot run are kept as skipped
/// rows that say why, so the grid is always complete.
/// </summary>
internal static class ScaleHarness
{
    // select(2)'s FD_SETSIZE: the select backend refuses descriptors from here on (FdSetSizeExceededException).
    private const int SelectDescriptorLimit = 1024;

    public static ScaleReport Run(ScaleSettings settings, Action<ScaleRow>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        ulong before = DescriptorLimit.Current().Soft;
        ulong limit = DescriptorLimit.RaiseToHard().Soft;
        var notes = new List<string>();
        if (limit > before)
        {
            notes.Add($"raised the descriptor limit (RLIMIT_NOFILE) from {before} to its hard limit {limit}");
        }
        (IReadOnlyList<int> sizes, IReadOnlyList<string> capNotes) = DescriptorBudget.Fit(settings.Sizes, limit, Directory.GetFiles("/proc/self/fd").Length);
        notes.AddRange(capNotes);
        List<(SelectorBackend Backend, Trigger Trigger)> combos = Combinations(settings, notes);

        var rows = new List<ScaleRow>();
        int maxActive = settings.Actives.Max();
        foreach (int n in sizes)
        {
            using var pairs = new SocketPairSet(n);
            foreach ((SelectorBackend backend, Trigger trigger) in combos)
            {
                foreach (ScaleRow row in RunCombination(pairs, backend, trigger, settings, Math.Min(maxActive, n)))
                {
                    rows.Add(row);
                    progress?.Invoke(row);
                }
            }
        }
        return new ScaleReport(before, limit, sizes, notes, rows);
    }

    private static List<(SelectorBackend, Trigger)> Combinations(ScaleSettings settings, List<string> notes)
    {
        var combos = new List<(SelectorBackend, Trigger)>();
        foreach (SelectorBackend backend in settings.Backends.Distinct())
        {
            using Selector probe = Selector.Create(backend);
            foreach (Trigger trigger in settings.Triggers.Distinct())
            {
                if (probe.Supports(trigger))
                {
                    combos.Add((backend, trigger));
                }
                else
                {
                    notes.Add($"{Name(backend)} has no {Name(trigger)} trigger: not measured");
                }
            }
        }
        return combos;
    }

    private static IEnumerable<ScaleRow> RunCombination(SocketPairSet pairs, SelectorBackend backend, Trigger trigger, ScaleSettings settings, int maxActive)
    {
        int n = pairs.Count;
        string? unfit = backend == SelectorBackend.Select && pairs.HighestReader >= SelectDescriptorLimit
            ? $"select N={n}: skipped, select(2) stops at FD_SETSIZE: the readers reach fd {pairs.HighestReader}, select takes only descriptors below {SelectDescriptorLimit}"
            : null;
        WakeChain? chain = null;
        if (unfit is null)
        {
            try
            {
                chain = new WakeChain(backend, trigger, pairs, maxActive);
            }
            catch (FdSetSizeExceededException e)
            {
                unfit = $"select N={n}: skipped, select(2) stops at FD_SETSIZE: fd {e.Fd} does not fit below {SelectDescriptorLimit}";
            }
        }
        using (chain)
        {
            foreach (int k in settings.Actives.Distinct().Order())
            {
                string? skipped = unfit ?? (k > n ? $"N={n} K={k}: skipped, fewer pairs than active tokens" : null);
                if (skipped is not null || chain is null)
                {
                    yield return new ScaleRow(backend, trigger, n, k, settings.Writes, [], skipped);
                    continue;
                }
                chain.Run(k, settings.Writes); // warm-up: JIT, page faults, kernel caches
                var samples = new TimeSpan[settings.Runs];
                for (int r = 0; r < samples.Length; r++)
                {
                    samples[r] = chain.Run(k, settings.Writes);
                }
                yield return new ScaleRow(backend, trigger, n, k, settings.Writes, samples, null);
            }
        }
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
