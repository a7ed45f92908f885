namespace IoMux.Cli.Scaling;

/// <summary>
/// What <c>iomux scale</c> measures: for each backend, trigger, pair count N and active count K, a chain
/// of <see cref="Writes"/> one-byte hand-offs between N registered socketpairs with K tokens in flight
/// (libevent's test/bench.c), timed <see cref="Runs"/> times after one warm-up.
/// </summary>
internal sealed record ScaleSettings(
    IReadOnlyList<int> Sizes,
    IReadOnlyList<int> Actives,
    int Runs,
    int Writes,
    IReadOnlyList<SelectorBackend> Backends,
    IReadOnlyList<Trigger> Triggers)
{
    public static readonly IReadOnlyList<int> DefaultSizes = [64, 256, 1024, 4096, 16384];
    public static readonly IReadOnlyList<int> DefaultActives = [1, 100];
    /// <summary>Every backend this machine has: io_uring only where the kernel allows it.</summary>
    public static readonly IReadOnlyList<SelectorBackend> AllBackends = Selector.IsAvailable(SelectorBackend.IoUring, out _)
        ? [SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select, SelectorBackend.IoUring]
        : [SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select];
    public static readonly IReadOnlyList<Trigger> AllTriggers = [Trigger.Level, Trigger.Edge, Trigger.OneShot];
    public const int DefaultRuns = 5;
    public const int DefaultWrites = 1000;

    public static ScaleSettings Default { get; } =
        new(DefaultSizes, DefaultActives, DefaultRuns, DefaultWrites, AllBackends, AllTriggers);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value and the fix.</summary>
    public void Validate()
    {
        RequireNonEmpty(Sizes, "sizes");
        RequireNonEmpty(Actives, "active");
        RequireNonEmpty(Backends, "backends");
        RequireNonEmpty(Triggers, "triggers");
        foreach (int n in Sizes)
        {
            if (n < 1)
            {
                throw new ArgumentException($"size {n} is not a pair count; give positive numbers such as 64,256,1024");
            }
        }
        foreach (int k in Actives)
        {
            if (k < 1)
            {
                throw new ArgumentException($"active count {k} is not positive; give numbers such as 1,100");
            }
        }
        if (Runs < 1)
        {
            throw new ArgumentException($"runs {Runs} is not positive; the median needs at least 1 run (5 is the default)");
        }
        if (Writes < 0)
        {
            throw new ArgumentException($"writes {Writes} is negative; give the number of hand-offs per chain (1000 is the default)");
        }
        if (Backends.Contains(SelectorBackend.Auto))
        {
            throw new ArgumentException("backend auto is not a backend of its own; name epoll, poll, select or iouring");
        }
    }

    private static void RequireNonEmpty<T>(IReadOnlyList<T> list, string name)
    {
        if (list.Count == 0)
        {
            throw new ArgumentException($"--{name} is empty; give at least one value");
        }
    }
}
