namespace IoMux.Cli.Compare;

/// <summary>
/// The proxies <c>iomux compare --proxy</c> runs, each in front of the same echo server (the C epoll peer):
/// HAProxy as the reference, and <c>iomux proxy</c> in each mode worth comparing.
/// </summary>
internal static class ProxyCatalog
{
    public const string Reference = "haproxy";

    private static readonly (string Name, string Backend, string Io, string Trigger)[] IoMuxModes =
    [
        ("iomux-proxy-epoll", "epoll", "readiness", "level"),
        ("iomux-proxy-epoll-edge", "epoll", "readiness", "edge"),
        ("iomux-proxy-uring", "uring", "completion", "level"),
        ("iomux-proxy-uring-readiness", "uring", "readiness", "level"),
    ];

    public static IReadOnlyList<string> Names => [Reference, .. IoMuxModes.Select(m => m.Name)];

    /// <summary>The echo server every proxy forwards to.</summary>
    public static ServerSpec Upstream(string peersDirectory) => new(ServerCatalog.Reference, "bash", [RunScript(peersDirectory), ServerCatalog.Reference, "{port}"]);

    /// <summary>The specs for <paramref name="names"/> (all when empty), each forwarding to <paramref name="upstreamPort"/>.</summary>
    public static IReadOnlyList<ServerSpec> Resolve(IReadOnlyList<string> names, string peersDirectory, int upstreamPort)
    {
        RunScript(peersDirectory);
        string upstream = upstreamPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var specs = new List<ServerSpec>();
        foreach (string name in names.Count == 0 ? Names : names)
        {
            if (name == Reference)
            {
                specs.Add(new ServerSpec(name, "bash", [Path.Combine(peersDirectory, "haproxy", "run.sh"), "{port}", upstream], IsReference: true));
            }
            else if (IoMuxModes.FirstOrDefault(m => m.Name == name) is { Name: not null } mode)
            {
                (string file, string[] prefix) = SelfInvocation.Resolve();
                specs.Add(new ServerSpec(name, file, [.. prefix, "proxy", "--listen", "127.0.0.1:{port}", "--to", $"127.0.0.1:{upstream}", "--backend", mode.Backend, "--io", mode.Io, "--trigger", mode.Trigger]));
            }
            else
            {
                throw new UsageException($"--servers: unknown proxy '{name}'; with --proxy choose from {string.Join(", ", Names)}");
            }
        }
        if (!specs.Any(s => s.IsReference))
        {
            throw new UsageException($"--servers must include the reference {Reference}: every ratio is relative to it");
        }
        return specs;
    }

    private static string RunScript(string peersDirectory)
    {
        string runScript = Path.Combine(peersDirectory, "run.sh");
        if (!File.Exists(runScript))
        {
            throw new UsageException($"--peers: {runScript} does not exist; point --peers at the repository's bench/peers folder");
        }
        return runScript;
    }
}
