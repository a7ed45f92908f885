using System.Diagnostics;

namespace IoMux.Testing;

/// <summary>
/// Programs no one here wrote (curl, wrk, h2load, redis-cli, openssl, python3), found on the PATH and run as processes
/// with a bounded wait; compiled into each test project that uses them.
/// </summary>
internal static class ExternalTool
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(120);

    /// <summary>Why <paramref name="tool"/> cannot run here, naming the Debian package to install, or <see langword="null"/> when it is on the PATH.</summary>
    public static string? Missing(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool)).Any(File.Exists)
            ? null
            : $"{tool} is not installed here; install the Debian package {Package(tool)} (.ci/run does where it can)";

    public static Task<ToolRun> RunAsync(string tool, params string[] arguments) => RunAsync(tool, arguments, input: null, DefaultBound);

    /// <summary>Runs <paramref name="tool"/>, feeding it <paramref name="input"/> (or closing its input at once); killed and a <see cref="TimeoutException"/> past <paramref name="bound"/>.</summary>
    public static async Task<ToolRun> RunAsync(string tool, IEnumerable<string> arguments, string? input, TimeSpan bound)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish within {bound.TotalSeconds:0} s");
        }
        return new ToolRun(process.ExitCode, await output, await errors);
    }

    /// <summary>The synchronous form, for tests that are not async.</summary>
    public static ToolRun Run(string tool, IEnumerable<string> arguments, string? input = null, TimeSpan? bound = null) =>
        RunAsync(tool, arguments, input, bound ?? DefaultBound).GetAwaiter().GetResult();

    private static string Package(string tool) => tool switch
    {
        "h2load" => "nghttp2-client",
        "redis-cli" or "redis-benchmark" => "redis-tools",
        _ => tool,
    };
}

/// <summary>What a tool did: its exit code and what it wrote to standard output and standard error.</summary>
internal readonly record struct ToolRun(int ExitCode, string Output, string Errors)
{
    /// <summary>Both streams, for a failure message or for tools that report on either.</summary>
    public string AllOutput => Output + Errors;
}

/// <summary>A test that needs <c>tools</c>; skipped, saying which is missing and its package, where one is.</summary>
internal sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        Skip = tools.Select(ExternalTool.Missing).FirstOrDefault(reason => reason is not null);
    }
}

/// <summary>A theory that needs <c>tools</c>; skipped, saying which is missing and its package, where one is.</summary>
internal sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(params string[] tools)
    {
        Skip = tools.Select(ExternalTool.Missing).FirstOrDefault(reason => reason is not null);
    }
}
