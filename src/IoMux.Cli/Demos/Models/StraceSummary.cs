using System.Globalization;

namespace IoMux.Cli.Demos.Models;

/// <summary>
/// The table <c>strace -c</c> writes: calls and errors per system call, and the total. Columns are found
/// from the header and its dashed rule, so rows with an empty errors column parse correctly.
/// </summary>
internal sealed class StraceSummary
{
    private StraceSummary(IReadOnlyDictionary<string, long> calls, long total)
    {
        Calls = calls;
        Total = total;
    }

    /// <summary>Calls per system call name.</summary>
    public IReadOnlyDictionary<string, long> Calls { get; }

    /// <summary>The "total" row's call count.</summary>
    public long Total { get; }

    public long CallsOf(string syscall) => Calls.TryGetValue(syscall, out long n) ? n : 0;

    public static StraceSummary Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Split('\n');
        int header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("% time", StringComparison.Ordinal));
        if (header < 0 || header + 1 >= lines.Length)
        {
            throw new FormatException("no strace -c table found (no '% time' header)");
        }
        (int Start, int End)[] columns = Columns(lines[header + 1]);
        string[] names = [.. columns.Select(c => Cell(lines[header], c).Trim())];
        int callsColumn = Array.IndexOf(names, "calls");
        int nameColumn = Array.IndexOf(names, "syscall");
        if (callsColumn < 0 || nameColumn < 0)
        {
            throw new FormatException($"the strace -c header lacks a calls or syscall column: '{lines[header].Trim()}'");
        }

        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        long? total = null;
        for (int i = header + 2; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('-'))
            {
                continue;
            }
            string name = line[Math.Min(columns[nameColumn].Start, line.Length)..].Trim();
            long count = long.Parse(Cell(line, columns[callsColumn]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
            if (name == "total")
            {
                total = count;
            }
            else
            {
                calls[name] = calls.GetValueOrDefault(name) + count;
            }
        }
        return new StraceSummary(calls, total ?? calls.Values.Sum());
    }

    private static (int, int)[] Columns(string rule)
    {
        var columns = new List<(int, int)>();
        int i = 0;
        while (i < rule.Length)
        {
            if (rule[i] != '-')
            {
                i++;
                continue;
            }
            int start = i;
            while (i < rule.Length && rule[i] == '-')
            {
                i++;
            }
            columns.Add((start, i));
        }
        return columns.Count > 0 ? [.. columns] : throw new FormatException("the strace -c header has no dashed rule below it");
    }

    private static string Cell(string line, (int Start, int End) column) =>
        column.Start >= line.Length ? "" : line[column.Start..Math.Min(column.End, line.Length)];
}
