namespace IoMux.Tests.Selectors;

/// <summary>
/// The backends every conformance test runs on, optionally filtered by the trigger it needs. io_uring is
/// included when this kernel allows it; when it does not, <see cref="IoUringAvailabilityTests"/> is skipped with
/// the kernel's reason, so the run says why io_uring was left out. With <c>IOMUX_REQUIRE_IO_URING=1</c> (CI on a
/// kernel that allows it) io_uring is never left out: a refusal then fails every io_uring case, each naming it.
/// </summary>
public static class Backends
{
    /// <summary>The environment switch that turns "io_uring refused here" from a skip into a failure.</summary>
    public const string RequireIoUringVariable = "IOMUX_REQUIRE_IO_URING";

    public static readonly SelectorBackend[] All = Available(
        SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select, SelectorBackend.IoUring);

    /// <summary>Whether this run must have io_uring (<see cref="RequireIoUringVariable"/> is 1).</summary>
    public static bool IoUringRequired => Environment.GetEnvironmentVariable(RequireIoUringVariable) == "1";

    /// <summary>Seeds of the randomized model test: fixed, so a failure replays exactly.</summary>
    private static readonly int[] ModelSeeds = [1, 2, 3, 20261127, 424242, 987654321];

    public static TheoryData<SelectorBackend> Any => Supporting(Trigger.Level);

    public static TheoryData<SelectorBackend> WithEdge => Supporting(Trigger.Edge);

    public static TheoryData<SelectorBackend> WithOneShot => Supporting(Trigger.OneShot);

    public static TheoryData<SelectorBackend, Trigger> AllTriggers
    {
        get
        {
            var data = new TheoryData<SelectorBackend, Trigger>();
            foreach (SelectorBackend backend in All)
            {
                if (!Selector.IsAvailable(backend, out _))
                {
                    foreach (Trigger trigger in Enum.GetValues<Trigger>())
                    {
                        data.Add(backend, trigger); // required but refused: each case fails naming why
                    }
                    continue;
                }
                using Selector selector = Selector.Create(backend);
                foreach (Trigger trigger in Enum.GetValues<Trigger>())
                {
                    if (selector.Supports(trigger))
                    {
                        data.Add(backend, trigger);
                    }
                }
            }
            return data;
        }
    }

    /// <summary>Each backend paired with each trigger it does not support (a backend that supports all adds none).</summary>
    public static TheoryData<SelectorBackend, Trigger> UnsupportedTriggers
    {
        get
        {
            var data = new TheoryData<SelectorBackend, Trigger>();
            foreach (SelectorBackend backend in All.Where(backend => Selector.IsAvailable(backend, out _)))
            {
                using Selector selector = Selector.Create(backend);
                foreach (Trigger trigger in Enum.GetValues<Trigger>())
                {
                    if (!selector.Supports(trigger))
                    {
                        data.Add(backend, trigger);
                    }
                }
            }
            return data;
        }
    }

    /// <summary>Every backend with every model seed.</summary>
    public static TheoryData<SelectorBackend, int> WithModelSeeds
    {
        get
        {
            var data = new TheoryData<SelectorBackend, int>();
            foreach (SelectorBackend backend in All)
            {
                foreach (int seed in ModelSeeds)
                {
                    data.Add(backend, seed);
                }
            }
            return data;
        }
    }

    /// <summary>
    /// Whether the backend reports Hangup and Error as their own bits. select(2) has only read, write and
    /// except sets, so a hang-up or a pending error shows there as readability (a read then returns EOF or
    /// the error); every kernel poll-style interface (poll, epoll, io_uring POLL_ADD) reports them.
    /// </summary>
    public static bool ReportsHangupAndError(SelectorBackend backend) => backend != SelectorBackend.Select;

    /// <summary>
    /// Whether the backend reports a descriptor closed while registered (Invalid). epoll drops a closed
    /// descriptor from its interest list silently; poll reports POLLNVAL and select fails with EBADF.
    /// </summary>
    public static bool ReportsClosedDescriptors(SelectorBackend backend) => backend != SelectorBackend.Epoll;

    private static SelectorBackend[] Available(params SelectorBackend[] backends) =>
        [.. backends.Where(backend => Selector.IsAvailable(backend, out _) || (backend == SelectorBackend.IoUring && IoUringRequired))];

    private static TheoryData<SelectorBackend> Supporting(Trigger trigger)
    {
        var data = new TheoryData<SelectorBackend>();
        foreach (SelectorBackend backend in All)
        {
            if (!Selector.IsAvailable(backend, out _))
            {
                data.Add(backend); // required but refused (io_uring has every trigger): the case fails on Selector.Create, naming why
                continue;
            }
            using Selector selector = Selector.Create(backend);
            if (selector.Supports(trigger))
            {
                data.Add(backend);
            }
        }
        return data;
    }
}

/// <summary>
/// A fact that runs only where this kernel allows io_uring, and is skipped with the kernel's reason elsewhere
/// (unless <see cref="Backends.RequireIoUringVariable"/> is set: then it runs and fails on the refusal).
/// </summary>
public sealed class IoUringFactAttribute : FactAttribute
{
    public IoUringFactAttribute()
    {
        // Required but refused: the fact runs, and fails on the refusal it meets.
        if (!Selector.IsAvailable(SelectorBackend.IoUring, out string? reason) && !Backends.IoUringRequired)
        {
            Skip = $"io_uring is not available here, so the conformance suite ran without it: {reason}";
        }
    }
}

/// <summary>A fact for runs that require io_uring (<see cref="Backends.RequireIoUringVariable"/> = 1); skipped, saying so, in others.</summary>
public sealed class IoUringRequiredFactAttribute : FactAttribute
{
    public IoUringRequiredFactAttribute()
    {
        if (!Backends.IoUringRequired)
        {
            Skip = $"{Backends.RequireIoUringVariable} is not 1, so this run may leave io_uring out where the kernel refuses it";
        }
    }
}
