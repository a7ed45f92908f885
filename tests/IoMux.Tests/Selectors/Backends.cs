namespace IoMux.Tests.Selectors;

/// <summary>The backends every conformance test runs on, optionally filtered by the trigger it needs.</summary>
public static class Backends
{
    public static readonly SelectorBackend[] All = [SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select];

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
            foreach (SelectorBackend backend in All)
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

    private static TheoryData<SelectorBackend> Supporting(Trigger trigger)
    {
        var data = new TheoryData<SelectorBackend>();
        foreach (SelectorBackend backend in All)
        {
            using Selector selector = Selector.Create(backend);
            if (selector.Supports(trigger))
            {
                data.Add(backend);
            }
        }
        return data;
    }
}
