namespace HttpApp;

/// <summary>The transports under Kestrel that the benchmark compares, by the names bench/http.sh gives them.</summary>
internal static class Transports
{
    public static readonly IReadOnlyList<string> Names = ["sockets", "sockets-inline"];

    public static void Apply(IWebHostBuilder host, string name)
    {
        switch (name)
        {
            case "sockets":
                // Kestrel's default: the Sockets transport, the application's work dispatched to the thread pool.
                break;
            case "sockets-inline":
                // Continuations run on the socket engine's threads: the Sockets transport's lowest-overhead setting.
                host.UseSockets(options => options.UnsafePreferInlineScheduling = true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, $"unknown transport; use {string.Join(", ", Names)}");
        }
    }
}
