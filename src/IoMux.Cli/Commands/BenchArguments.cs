using System.CommandLine.Parsing;
using System.Globalization;

namespace IoMux.Cli.Commands;

/// <summary>Parsers for the values <c>iomux bench</c> takes: times like <c>10s</c>, sizes like <c>1KiB</c>.</summary>
internal static class BenchArguments
{
    /// <summary>A time: <c>500ms</c>, <c>10s</c>, <c>2m</c>, or a plain number of seconds.</summary>
    public static TimeSpan ParseTime(ArgumentResult result)
    {
        string text = Single(result);
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || double.IsNaN(value) || double.IsInfinity(value) || value * scale > TimeSpan.FromDays(1).TotalSeconds)
        {
            result.AddError($"{Name(result)} '{text}' is not a time; use e.g. 500ms, 10s or 2m (at most a day)");
            return TimeSpan.Zero;
        }
        return TimeSpan.FromSeconds(value * scale);
    }

    /// <summary>A byte count: <c>64</c>, <c>1k</c> / <c>1KiB</c> (1024), <c>1m</c> / <c>1MiB</c>.</summary>
    public static int ParseSize(ArgumentResult result)
    {
        string text = Single(result);
        string lower = text.ToLowerInvariant();
        (string number, long scale) = lower switch
        {
            _ when lower.EndsWith("kib", StringComparison.Ordinal) => (lower[..^3], 1024L),
            _ when lower.EndsWith("mib", StringComparison.Ordinal) => (lower[..^3], 1024L * 1024),
            _ when lower.EndsWith('k') => (lower[..^1], 1024L),
            _ when lower.EndsWith('m') => (lower[..^1], 1024L * 1024),
            _ when lower.EndsWith('b') => (lower[..^1], 1L),
            _ => (lower, 1L),
        };
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value * scale > int.MaxValue)
        {
            result.AddError($"{Name(result)} '{text}' is not a size; use bytes, e.g. 64, 1KiB or 1MiB");
            return 0;
        }
        return (int)(value * scale);
    }

    private static string Single(ArgumentResult result) =>
        result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : string.Empty;

    private static string Name(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : "value";
}
