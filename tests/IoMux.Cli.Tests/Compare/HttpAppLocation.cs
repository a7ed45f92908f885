namespace IoMux.Cli.Tests.Compare;

/// <summary>
/// Where the tests find bench/HttpApp as built beside them (this project builds it first, same configuration), and
/// wrk: a test that needs one that is missing skips and says why.
/// </summary>
internal static class HttpAppLocation
{
    public static string App { get; } = Find();

    public static string? MissingWrk { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "wrk")))
            ? null
            : "wrk is not installed (Debian package wrk; bench/http.sh installs it)";

    // AppContext.BaseDirectory is tests/IoMux.Cli.Tests/bin/CONFIGURATION/TFM/.
    private static string Find()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name;
        string configuration = output.Parent!.Name;
        DirectoryInfo? root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "IoMux.slnx")))
        {
            root = root.Parent;
        }
        if (root is null)
        {
            throw new InvalidOperationException($"no IoMux.slnx above {AppContext.BaseDirectory}; run the tests from the repository");
        }
        return Path.Combine(root.FullName, "bench", "HttpApp", "bin", configuration, framework, "HttpApp.dll");
    }
}

/// <summary>A test that drives bench/HttpApp with wrk; skipped, saying so, where wrk is missing.</summary>
public sealed class WrkFactAttribute : FactAttribute
{
    public WrkFactAttribute()
    {
        if (HttpAppLocation.MissingWrk is { } reason)
        {
            Skip = reason;
        }
    }
}
