using System.Globalization;
using System.Text.RegularExpressions;

namespace IoMux.Cli.Compare;

/// <summary>One HTTP load for wrk: an endpoint of bench/HttpApp and how many keep-alive connections drive it.</summary>
internal sealed partial record HttpWorkload(string Endpoint, int Connections)
{
    /// <summary>The POST /echo body: large enough that the transport's buffering, not the request's parsing, dominates.</summary>
    public const int EchoBodySize = 16 * 1024;

    public static readonly IReadOnlyList<string> Endpoints = ["plaintext", "json", "echo"];

    public static readonly IReadOnlyList<HttpWorkload> Defaults = [new("plaintext", 50), new("json", 50), new("echo", 50)];

    public string Path => "/" + Endpoint;

    public bool IsPost => Endpoint == "echo";

    public string Name => IsPost
        ? $"POST {Path} {EchoBodySize / 1024} KiB, {Connections} connections"
        : $"GET {Path}, {Connections} connections";

    /// <summary>Parses <c>ENDPOINT[:CONNECTIONS]</c>, e.g. <c>plaintext:50</c>; throws <see cref="UsageException"/> naming the fix.</summary>
    public static HttpWorkload Parse(string text)
    {
        Match m = Shape().Match(text.Trim());
        if (!m.Success || !Endpoints.Contains(m.Groups["e"].Value))
        {
            throw new UsageException($"--workloads: '{text}' is not ENDPOINT[:CONNECTIONS] with --http; write e.g. plaintext:50 ({string.Join(", ", Endpoints)})");
        }
        int connections = m.Groups["c"].Success ? int.Parse(m.Groups["c"].Value, CultureInfo.InvariantCulture) : 50;
        if (connections < 1)
        {
            throw new UsageException($"--workloads: '{text}' needs at least 1 connection");
        }
        return new HttpWorkload(m.Groups["e"].Value, connections);
    }

    [GeneratedRegex(@"^(?<e>[a-z]+)(:(?<c>\d{1,5}))?$")]
    private static partial Regex Shape();
}
