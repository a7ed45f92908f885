using System.Diagnostics;

namespace IoMux.Samples.Tests;

/// <summary>redis-cli and redis-benchmark (Debian package redis-tools), run as processes with bounded waits.</summary>
public static class RedisTools
{
    public static readonly string? Missing = Find("redis-cli") is null || Find("redis-benchmark") is null
        ? "redis-cli or redis-benchmark is not installed; install the Debian package redis-tools (.ci/run does)"
        : null;

    /// <summary>Runs <paramref name="tool"/> with <paramref name="arguments"/>, feeding <paramref name="input"/>; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string tool, IEnumerable<string> arguments, string? input = null, TimeSpan? bound = null)
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
            process.StandardInput.Write(input);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(bound ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish");
        }
        return (process.ExitCode, output.Result + errors.Result);
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool)).FirstOrDefault(File.Exists);
}

/// <summary>A test that needs redis-tools; skipped, saying so, where they are missing.</summary>
public sealed class RedisToolsFactAttribute : FactAttribute
{
    public RedisToolsFactAttribute()
    {
        if (RedisTools.Missing is { } reason)
        {
            Skip = reason;
        }
    }
}
