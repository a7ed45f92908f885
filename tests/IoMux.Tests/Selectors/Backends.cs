namespace IoMux.Tests.Selectors;

/// <summary>
/// The backends every conformance test runs on, optionally filtered by the trigger it needs. io_uring is
/// included when this kernel allows it; when it does not, <see cref="IoUringAvailabilityTests"/> is skipped with
/// the kernel's reason, so the run says why io_uring was left out.
/// </summary>
public static class Backends
{
    public static readonly SelectorBackend[] All = Available(
        SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select, SelectorBackend.IoUring);

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

    private static SelectorBackend[] Available(params SelectorBackend[] backends) =>
        [.. backends.Where(backend => Selector.IsAvailable(backend, out _))];

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

/// <summary>A fact that runs only where this kernel allows io_uring, and is skipped with the kernel's reason elsewhere.</summary>
public sealed class IoUringFactAttribute : FactAttribute
{
    public IoUringFactAttribute()
    {
        if (!Selector.IsAvailable(SelectorBackend.IoUring, out string? reason))
        {
            Skip = $"io_uring is not available here, so the conformance suite ran without it: {reason}";
        }
    }
}
