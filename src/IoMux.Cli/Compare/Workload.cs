using System.Globalization;
using System.Text.RegularExpressions;

namespace IoMux.Cli.Compare;

/// <summary>One load shape: connections × message size, with messages in flight per connection.</summary>
internal sealed partial record Workload(int Connections, int Size, int Depth)
{
    // The large messages keep the copying costs in view (the completion model's receive-to-send path above all),
    // which the small ones hide under per-call overhead.
    public static readonly IReadOnlyList<Workload> Defaults =
        [new(50, 64, 1), new(50, 1024, 1), new(50, 64, 16), new(1, 64, 1), new(10, 16 * 1024, 1), new(10, 256 * 1024, 1)];

    public string Name => $"{Connections} × {FormatSize(Size)} depth {Depth}";

    /// <summary>Parses <c>CONNxSIZE[:DEPTH]</c>, e.g. <c>50x1k:16</c>; throws <see cref="UsageException"/> naming the fix.</summary>
    public static Workload Parse(string text)
    {
        Match m = Shape().Match(text.Trim());
        if (!m.Success)
        {
            throw new UsageException($"--workloads: '{text}' is not CONNECTIONSxSIZE[:DEPTH]; write e.g. 50x64:1 or 50x1k:16");
        }
        int connections = int.Parse(m.Groups["c"].Value, CultureInfo.InvariantCulture);
        int size = int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) * (m.Groups["k"].Success ? 1024 : 1);
        int depth = m.Groups["d"].Success ? int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture) : 1;
        if (connections < 1 || size < 1 || depth < 1)
        {
            throw new UsageException($"--workloads: '{text}' needs connections, size and depth of at least 1");
        }
        return new Workload(connections, size, depth);
    }

    private static string FormatSize(int size) => size % 1024 == 0 ? $"{size / 1024} KiB" : $"{size} B";

    [GeneratedRegex(@"^(?<c>\d{1,6})x(?<s>\d{1,8})(?<k>[kK])?(:(?<d>\d{1,5}))?$")]
    private static partial Regex Shape();
}
