namespace IoMux.IntegrationTests;

/// <summary>
/// Every backend × trigger × I/O model the machine supports, asked of the backends themselves: the readiness
/// model on epoll, poll, select and io_uring polls with each trigger the backend has, and the completion
/// model on io_uring (level only), when the kernel gives this process io_uring. Where it does not,
/// <see cref="CompletionAvailabilityTests"/> prints why and checks that <c>--backend uring</c> says so.
/// </summary>
public static class Combos
{
    /// <summary>(backend, trigger, io): the <c>--backend</c>, <c>--trigger</c> and <c>--io</c> of one echo server.</summary>
    public static TheoryData<string, string, string> All
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            var backends = new List<(SelectorBackend Backend, string Name)> { (SelectorBackend.Epoll, "epoll"), (SelectorBackend.Poll, "poll"), (SelectorBackend.Select, "select") };
            if (CompletionAvailable)
            {
                backends.Add((SelectorBackend.IoUring, "uring"));
            }
            foreach ((SelectorBackend backend, string name) in backends)
            {
                using Selector selector = Selector.Create(backend);
                foreach (Trigger trigger in Enum.GetValues<Trigger>())
                {
                    if (selector.Supports(trigger))
                    {
                        data.Add(name, trigger.ToString().ToLowerInvariant(), "readiness");
                    }
                }
            }
            if (CompletionAvailable)
            {
                data.Add("uring", "level", "completion");
            }
            return data;
        }
    }

    /// <summary>The default backend (readiness), and the completion transport when available: for tests of limits and lifecycle.</summary>
    public static TheoryData<string> Transports
    {
        get
        {
            var data = new TheoryData<string> { "auto" };
            if (CompletionAvailable)
            {
                data.Add("uring");
            }
            return data;
        }
    }

    /// <summary>Whether io_uring may be used here; <see cref="CompletionRefusal"/> says why not.</summary>
    public static bool CompletionAvailable => Selector.IsAvailable(SelectorBackend.IoUring, out _);

    public static string? CompletionRefusal => Selector.IsAvailable(SelectorBackend.IoUring, out string? reason) ? null : reason;
}
