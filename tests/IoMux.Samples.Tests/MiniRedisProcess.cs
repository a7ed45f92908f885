using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IoMux.Samples.Tests;

/// <summary>The MiniRedis sample as its own process on a free port: started, waited for by its listening line, stopped with SIGTERM.</summary>
public sealed partial class MiniRedisProcess : IDisposable
{
    private readonly Process _process;

    public MiniRedisProcess()
    {
        string assembly = Path.Combine(AppContext.BaseDirectory, "MiniRedis.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        _process = Process.Start(start)!;
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null)
        {
            _process.Kill();
            throw new InvalidOperationException($"MiniRedis printed no listening line: {_process.StandardError.ReadToEnd()}");
        }
        Match listening = Listening().Match(line.Result);
        Assert.True(listening.Success, $"unexpected first line: {line.Result}");
        Port = int.Parse(listening.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public int Port { get; }

    /// <summary>redis-cli against this server; returns its output with the trailing newline removed.</summary>
    public string Cli(params string[] command)
    {
        ToolRun run = ExternalTool.Run("redis-cli", ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command]);
        Assert.True(run.ExitCode == 0, $"redis-cli {string.Join(' ', command)} exited with {run.ExitCode}: {run.AllOutput}");
        return run.AllOutput.TrimEnd('\n');
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // SIGKILL: the test is over, nothing is left to drain
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^MiniRedis: listening on 127\.0\.0\.1:(\d+)$")]
    private static partial Regex Listening();
}
