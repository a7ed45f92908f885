namespace IoMux.Cli.Compare;

/// <summary>The servers a comparison can run: IoMux's own echo in each mode, and the peers in bench/peers.</summary>
internal static class ServerCatalog
{
    public const string Reference = "c-epoll";

    private static readonly string[] Peers =
        [Reference, "dotnet-sockets", "kestrel", "node-net", "python-asyncio", "python-uvloop", "python-poll-tutorial"];

    // iomux-uring is the completion model (what --backend uring means without --io); iomux-uring-readiness
    // runs the readiness transport on io_uring polls, so the two models compare on one kernel mechanism.
    private static readonly (string Name, string Backend, string Io, string Trigger)[] IoMuxModes =
    [
        ("iomux-epoll-level", "epoll", "readiness", "level"),
        ("iomux-epoll-edge", "epoll", "readiness", "edge"),
        ("iomux-poll", "poll", "readiness", "level"),
        ("iomux-select", "select", "readiness", "level"),
        ("iomux-uring", "uring", "completion", "level"),
        ("iomux-uring-readiness", "uring", "readiness", "level"),
    ];

    public static IReadOnlyList<string> Names => [.. IoMuxModes.Select(m => m.Name), .. Peers];

    /// <summary>The specs for <paramref name="names"/> (all when empty), IoMux started the way this process was.</summary>
    public static IReadOnlyList<ServerSpec> Resolve(IReadOnlyList<string> names, string peersDirectory)
    {
        string runScript = Path.Combine(peersDirectory, "run.sh");
        if (!File.Exists(runScript))
        {
            throw new UsageException($"--peers: {runScript} does not exist; point --peers at the repository's bench/peers folder");
        }
        IEnumerable<string> wanted = names.Count == 0 ? Names : names;
        var specs = new List<ServerSpec>();
        foreach (string name in wanted)
        {
            if (IoMuxModes.FirstOrDefault(m => m.Name == name) is { Name: not null } mode)
            {
                (string file, string[] prefix) = SelfInvocation.Resolve();
                specs.Add(new ServerSpec(name, file, [.. prefix, "echo", "--port", "{port}", "--backend", mode.Backend, "--io", mode.Io, "--trigger", mode.Trigger]));
            }
            else if (Peers.Contains(name))
            {
                specs.Add(new ServerSpec(name, "bash", [runScript, name, "{port}"], IsReference: name == Reference));
            }
            else
            {
                throw new UsageException($"--servers: unknown server '{name}'; choose from {string.Join(", ", Names)}");
            }
        }
        if (!specs.Any(s => s.IsReference))
        {
            throw new UsageException($"--servers must include the reference {Reference}: every ratio is relative to it");
        }
        return specs;
    }
}
