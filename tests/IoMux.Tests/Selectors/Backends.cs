namespace IoMux.Tests.Selectors;

/// <summary>The backends every conformance test runs on, optionally filtered by the trigger it needs.</summary>
public static class Backends
{
    public static readonly SelectorBackend[] All = [SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select];

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
