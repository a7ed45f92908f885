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

    /// <summary>
    /// Whether the uring runs are in the lists: where io_uring may be used here, and always when the run requires it
    /// (<c>IOMUX_REQUIRE_IO_URING=1</c>), so that a refusal fails those runs, naming it, instead of shrinking the suite.
    /// <see cref="CompletionRefusal"/> says why io_uring is refused.
    /// </summary>
    public static bool CompletionAvailable => Selector.IsAvailable(SelectorBackend.IoUring, out _) || IoUringRequired;

    /// <summary>Whether this run must have io_uring (<c>IOMUX_REQUIRE_IO_URING=1</c>, set by CI on kernels that allow it).</summary>
    public static bool IoUringRequired => Environment.GetEnvironmentVariable("IOMUX_REQUIRE_IO_URING") == "1";

    public static string? CompletionRefusal => Selector.IsAvailable(SelectorBackend.IoUring, out string? reason) ? null : reason;
}
