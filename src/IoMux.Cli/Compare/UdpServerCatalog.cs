namespace IoMux.Cli.Compare;

/// <summary>The UDP echo servers a comparison can run: IoMux's <c>echo --udp</c> in each mode, and the two C peers in bench/peers.</summary>
internal static class UdpServerCatalog
{
    /// <summary>recvmmsg / sendmmsg in batches of 64 on epoll: what batching can do with no runtime in between.</summary>
    public const string Reference = "c-udp-batched";

    public const string Simple = "c-udp-simple";

    private static readonly (string Name, string Backend, string Io)[] IoMuxModes =
    [
        ("iomux-udp-epoll", "epoll", "readiness"),
        ("iomux-udp-uring", "uring", "completion"),
        ("iomux-udp-uring-readiness", "uring", "readiness"),
    ];

    /// <summary>64 B and 1200 B datagrams, a window of 1 and of 32 per client, 50 clients.</summary>
    public static readonly IReadOnlyList<Workload> Workloads =
        [new(50, 64, 1), new(50, 64, 32), new(50, 1200, 1), new(50, 1200, 32)];

    public static IReadOnlyList<string> Names => [.. IoMuxModes.Select(m => m.Name), Reference, Simple];

    /// <summary>The specs for <paramref name="names"/> (all when empty), IoMux started the way this process was.</summary>
    public static IReadOnlyList<ServerSpec> Resolve(IReadOnlyList<string> names, string peersDirectory)
    {
        string runScript = Path.Combine(peersDirectory, "run.sh");
        if (!File.Exists(runScript))
        {
            throw new UsageException($"--peers: {runScript} does not exist; point --peers at the repository's bench/peers folder");
        }
        var specs = new List<ServerSpec>();
        foreach (string name in names.Count == 0 ? Names : names)
        {
            if (IoMuxModes.FirstOrDefault(m => m.Name == name) is { Name: not null } mode)
            {
                (string file, string[] prefix) = SelfInvocation.Resolve();
                specs.Add(new ServerSpec(name, file, [.. prefix, "echo", "--udp", "--port", "{port}", "--backend", mode.Backend, "--io", mode.Io]));
            }
            else if (name is Reference or Simple)
            {
                specs.Add(new ServerSpec(name, "bash", [runScript, name, "{port}"], IsReference: name == Reference));
            }
            else
            {
                throw new UsageException($"--servers: unknown UDP server '{name}'; with --udp choose from {string.Join(", ", Names)}");
            }
        }
        if (!specs.Any(s => s.IsReference))
        {
            throw new UsageException($"--servers must include the reference {Reference}: every ratio is relative to it");
        }
        return specs;
    }
}
