namespace IoMux.Cli.Compare;

/// <summary>The servers a comparison can run: IoMux's own echo in each mode, and the peers in bench/peers.</summary>
internal static class ServerCatalog
{
    public const string Reference = "c-epoll";

    private static readonly string[] Peers =
        [Reference, "dotnet-epoll", "dotnet-sockets", "kestrel", "node-net", "python-asyncio", "python-uvloop", "python-poll-tutorial"];

    // iomux-uring is the completion model (what --backend uring means without --io); iomux-uring-readiness
    // runs the readiness transport on io_uring polls, so the two models compare on one kernel mechanism.
    // The -pipe modes run the same echo on the pipe adapter (--api pipe: the application on the thread pool; -inline: on
    // the loop thread), so the adapter's cost over the callback API is a ratio.
    private static readonly (string Name, string Backend, string Io, string Trigger, string? Api)[] IoMuxModes =
    [
        ("iomux-epoll-level", "epoll", "readiness", "level", null),
        ("iomux-epoll-edge", "epoll", "readiness", "edge", null),
        ("iomux-poll", "poll", "readiness", "level", null),
        ("iomux-select", "select", "readiness", "level", null),
        ("iomux-uring", "uring", "completion", "level", null),
        ("iomux-uring-readiness", "uring", "readiness", "level", null),
        ("iomux-epoll-pipe", "epoll", "readiness", "level", "pipe"),
        ("iomux-epoll-pipe-inline", "epoll", "readiness", "level", "pipe-inline"),
        ("iomux-uring-pipe", "uring", "completion", "level", "pipe"),
        ("iomux-uring-pipe-inline", "uring", "completion", "level", "pipe-inline"),
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
                string[] api = mode.Api is { } apiName ? ["--api", apiName] : [];
                specs.Add(new ServerSpec(name, file, [.. prefix, "echo", "--port", "{port}", "--backend", mode.Backend, "--io", mode.Io, "--trigger", mode.Trigger, .. api]));
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
