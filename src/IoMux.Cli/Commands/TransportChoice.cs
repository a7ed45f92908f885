using IoMux.Native;

namespace IoMux.Cli.Commands;

/// <summary>
/// What <c>--backend</c>, <c>--io</c> and <c>--trigger</c> ask for, checked against this machine: the one place the
/// servers' commands turn those three words into a backend, an I/O model and a trigger, or one clear refusal.
/// </summary>
internal sealed record TransportChoice(SelectorBackend Backend, IoModel Model, Trigger Trigger, string BackendName)
{
    /// <summary>Parses and checks the three options; throws <see cref="UsageException"/> naming the fix.</summary>
    public static TransportChoice Parse(string backendText, string? ioText, string triggerText)
    {
        SelectorBackend backend = ParseBackend(backendText);
        Trigger trigger = ParseTrigger(triggerText);
        IoModel model = ParseIoModel(ioText, backend);
        string name = model == IoModel.Completion ? CheckCompletion(backend, trigger) : CheckReadiness(backend, trigger);
        return new TransportChoice(backend, model, trigger, name);
    }

    /// <summary>How the listening line describes the choice.</summary>
    public string Describe() => $"backend {BackendName}, io {Model.ToString().ToLowerInvariant()}, trigger {Trigger.ToString().ToLowerInvariant()}";

    private static SelectorBackend ParseBackend(string text) => text.ToLowerInvariant() switch
    {
        "auto" => SelectorBackend.Auto,
        "epoll" => SelectorBackend.Epoll,
        "poll" => SelectorBackend.Poll,
        "select" => SelectorBackend.Select,
        "uring" or "io_uring" => SelectorBackend.IoUring,
        _ => throw new UsageException($"unknown backend '{text}'; use --backend auto, epoll, poll, select or uring"),
    };

    private static Trigger ParseTrigger(string text) => text.ToLowerInvariant() switch
    {
        "level" => Trigger.Level,
        "edge" => Trigger.Edge,
        "oneshot" or "one-shot" => Trigger.OneShot,
        _ => throw new UsageException($"unknown trigger '{text}'; use --trigger level, edge or oneshot"),
    };

    /// <summary>No <c>--io</c>: completion on io_uring (what <c>--backend uring</c> has always meant), readiness elsewhere.</summary>
    private static IoModel ParseIoModel(string? text, SelectorBackend backend) => text?.ToLowerInvariant() switch
    {
        null => backend == SelectorBackend.IoUring ? IoModel.Completion : IoModel.Readiness,
        "readiness" => IoModel.Readiness,
        "completion" => IoModel.Completion,
        _ => throw new UsageException($"unknown I/O model '{text}'; use --io readiness or completion"),
    };

    /// <summary>
    /// The readiness transport on any backend: refused with the library's reason when the backend cannot run
    /// here, then the backend itself is asked whether it can do the trigger. Returns the backend's real name.
    /// </summary>
    private static string CheckReadiness(SelectorBackend backend, Trigger trigger)
    {
        if (!EventLoop.IsAvailable(IoModel.Readiness, backend, out string? reason))
        {
            throw new UsageException($"the {Name(backend)} backend is not available here ({reason}); try --backend epoll");
        }
        Selector probe;
        try
        {
            probe = Selector.Create(backend);
        }
        catch (SyscallException e)
        {
            throw new UsageException($"the {Name(backend)} backend is not available here ({e.Message}); try --backend poll", e);
        }
        using (probe)
        {
            string name = Name(probe.Backend);
            if (!probe.Supports(trigger))
            {
                string modes = string.Join(", ", Enum.GetValues<Trigger>().Where(probe.Supports).Select(t => t.ToString().ToLowerInvariant()));
                throw new UsageException($"the {name} backend does not support {trigger.ToString().ToLowerInvariant()} triggering; use --trigger {modes}, or --backend epoll");
            }
            return name;
        }
    }

    /// <summary>
    /// The completion transport: <see cref="EventLoop.IsAvailable"/> says whether the model runs on this backend
    /// here, and why not; edge and one-shot describe readiness, which completions do not have.
    /// </summary>
    private static string CheckCompletion(SelectorBackend backend, Trigger trigger)
    {
        // The command line's own contradictions first, then what this kernel refuses, so the same command line
        // gets the same complaint on every machine.
        bool available = EventLoop.IsAvailable(IoModel.Completion, backend, out string? reason);
        if (!available && backend != SelectorBackend.IoUring)
        {
            throw new UsageException($"--io completion does not run on --backend {Name(backend)}: {reason}; use --backend uring, or --io readiness");
        }
        if (trigger != Trigger.Level)
        {
            throw new UsageException($"--trigger {trigger.ToString().ToLowerInvariant()} does not apply to the completion model: completions have no readiness to trigger on; omit --trigger (level), or add --io readiness to run readiness on io_uring");
        }
        if (!available)
        {
            throw new UsageException($"--io completion: io_uring is not available here ({reason}); use --io readiness, or --backend epoll");
        }
        return Name(backend);
    }

    /// <summary>The backend as <c>--backend</c> spells it.</summary>
    private static string Name(SelectorBackend backend) => backend switch
    {
        SelectorBackend.IoUring => "uring",
        _ => backend.ToString().ToLowerInvariant(),
    };
}
