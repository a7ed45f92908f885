using System.Diagnostics;

namespace IoMux.Cli.Demos.Models;

/// <summary>Counts a command's system calls, threads included, by running it under <c>strace -f -c</c>.</summary>
internal static class SyscallCounter
{
    /// <summary>The strace executable on PATH, or null when it is not installed.</summary>
    public static string? FindStrace()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "strace");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Runs <paramref name="command"/> under strace; throws <see cref="InvalidOperationException"/> with strace's own words when it fails.</summary>
    public static StraceSummary Count(string strace, IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        string output = Path.Combine(Path.GetTempPath(), $"iomux-strace-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo(strace)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-f", "-c", "-o", output, "--"])
        {
            start.ArgumentList.Add(arg);
        }
        foreach (string arg in command)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {strace}");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            string errors = stderr.GetAwaiter().GetResult();
            stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0 || !File.Exists(output))
            {
                string reason = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {process.ExitCode}";
                throw new InvalidOperationException($"strace failed: {reason}");
            }
            return StraceSummary.Parse(File.ReadAllText(output));
        }
        finally
        {
            File.Delete(output);
        }
    }
}
