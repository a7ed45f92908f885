namespace IoMux.Cli.Scaling;

/// <summary>Parses the comma-separated lists of <c>iomux scale</c>; bad input is an <see cref="ArgumentException"/> naming the option and the fix.</summary>
internal static class ScaleArguments
{
    public static IReadOnlyList<int> Integers(string text, string option)
    {
        var values = new List<int>();
        foreach (string item in Items(text, option))
        {
            if (!int.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) || value < 1)
            {
                throw new ArgumentException($"{option}: '{item}' is not a positive whole number; give a list such as 64,256,1024");
            }
            values.Add(value);
        }
        return values;
    }

    public static IReadOnlyList<SelectorBackend> Backends(string text) =>
        [.. Items(text, "--backends").Select(item => item.ToLowerInvariant() switch
        {
            "epoll" => SelectorBackend.Epoll,
            "poll" => SelectorBackend.Poll,
            "select" => SelectorBackend.Select,
            "iouring" or "uring" or "io_uring" => Selector.IsAvailable(SelectorBackend.IoUring, out string? reason)
                ? SelectorBackend.IoUring
                : throw new ArgumentException($"--backends: iouring is not available here ({reason}); use epoll, poll and/or select"),
            _ => throw new ArgumentException($"--backends: '{item}' is not a backend; use epoll, poll, select and/or iouring"),
        })];

    public static IReadOnlyList<Trigger> Triggers(string text) =>
        [.. Items(text, "--triggers").Select(item => item.ToLowerInvariant() switch
        {
            "level" => Trigger.Level,
            "edge" => Trigger.Edge,
            "oneshot" or "one-shot" => Trigger.OneShot,
            _ => throw new ArgumentException($"--triggers: '{item}' is not a trigger mode; use level, edge and/or oneshot"),
        })];

    private static string[] Items(string text, string option)
    {
        string[] items = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return items.Length > 0 ? items : throw new ArgumentException($"{option} is empty; give a comma-separated list");
    }
}
