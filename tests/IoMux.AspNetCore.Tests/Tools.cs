using System.Diagnostics;

namespace IoMux.AspNetCore.Tests;

/// <summary>Clients no one here wrote (curl, wrk, h2load), run as processes with bounded waits.</summary>
public static class Tools
{
    /// <summary>Why <paramref name="tool"/> cannot run here, or <see langword="null"/> when it is on the PATH.</summary>
    public static string? Missing(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool)).Any(File.Exists)
            ? null
            : $"{tool} is not installed; install the Debian package {Package(tool)} (.ci/run does where it can)";

    /// <summary>Runs <paramref name="tool"/>; returns its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within 120 s");
        }
        return (process.ExitCode, await output, await errors);
    }

    private static string Package(string tool) => tool switch
    {
        "h2load" => "nghttp2-client",
        _ => tool,
    };
}

/// <summary>A theory that needs <c>tool</c>; skipped, saying so, where it is missing.</summary>
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(string tool)
    {
        if (Tools.Missing(tool) is { } reason)
        {
            Skip = reason;
        }
    }
}
