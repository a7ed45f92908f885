namespace IoMux.Cli.Compare;

/// <summary>The HTTP servers <c>iomux compare --http</c> runs: bench/HttpApp on each transport under Kestrel.</summary>
internal static class HttpServerCatalog
{
    /// <summary>Kestrel's default, the Sockets transport: every ratio is relative to it.</summary>
    public const string Reference = "kestrel-sockets";

    // Name in the tables, then the transport's name on HttpApp's command line.
    private static readonly (string Name, string Transport)[] Transports =
    [
        (Reference, "sockets"),
        ("kestrel-sockets-inline", "sockets-inline"),
        ("iomux-epoll", "iomux-epoll"),
        ("iomux-epoll-inline", "iomux-epoll-inline"),
        ("iomux-uring", "iomux-uring"),
    ];

    public static IReadOnlyList<string> Names => [.. Transports.Select(t => t.Name)];

    /// <summary>The specs for <paramref name="names"/> (all when empty), each running <paramref name="appPath"/> (HttpApp.dll).</summary>
    public static IReadOnlyList<ServerSpec> Resolve(IReadOnlyList<string> names, string appPath)
    {
        if (!File.Exists(appPath))
        {
            throw new UsageException($"--app: {appPath} does not exist; build it (dotnet build bench/HttpApp -c Release) or run bench/http.sh");
        }
        var specs = new List<ServerSpec>();
        foreach (string name in names.Count == 0 ? Names : names)
        {
            (string Name, string Transport) transport = Transports.FirstOrDefault(t => t.Name == name);
            if (transport.Name is null)
            {
                throw new UsageException($"--servers: unknown HTTP server '{name}'; choose from {string.Join(", ", Names)}");
            }
            specs.Add(new ServerSpec(name, "dotnet", [appPath, "--port", "{port}", "--transport", transport.Transport], IsReference: name == Reference));
        }
        if (!specs.Any(s => s.IsReference))
        {
            throw new UsageException($"--servers must include the reference {Reference}: every ratio is relative to it");
        }
        return specs;
    }
}
