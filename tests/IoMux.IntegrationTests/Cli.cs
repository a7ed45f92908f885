using System.Diagnostics;

namespace IoMux.IntegrationTests;

/// <summary>Starts the real <c>iomux</c> CLI (IoMux.Cli.dll, copied here by the project reference) under <c>dotnet</c>.</summary>
internal static class Cli
{
    public static readonly string Dll = Locate();

    /// <summary>
    /// Starts <c>dotnet IoMux.Cli.dll args…</c> with stdout and stderr redirected. It goes through
    /// <c>env --default-signal</c> because a process started from a background job inherits SIGINT as
    /// ignored, and .NET keeps an ignored SIGINT ignored: the SIGINT test must not depend on how the tests were launched.
    /// </summary>
    /// <remarks><paramref name="launcher"/>, when given, runs first and execs the rest (it hands the CLI a socket, say).</remarks>
    public static Process Start(IEnumerable<string> args, int? descriptorLimit = null, IReadOnlyList<string>? launcher = null)
    {
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : descriptorLimit is null ? "env" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in launcher?.Skip(1) ?? [])
        {
            info.ArgumentList.Add(arg);
        }
        if (launcher is { Count: > 0 })
        {
            info.ArgumentList.Add(descriptorLimit is null ? "env" : "prlimit");
        }
        if (descriptorLimit is { } limit)
        {
            info.ArgumentList.Add($"--nofile={limit}:{limit}");
            info.ArgumentList.Add("env");
        }
        info.ArgumentList.Add("--default-signal=INT,TERM");
        info.ArgumentList.Add(DotnetHost());
        info.ArgumentList.Add(Dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start env");
    }

    /// <summary>Runs the CLI to completion (bounded) and returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan bound, params string[] args)
    {
        using Process process = Start(args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(bound))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            throw new TimeoutException($"iomux {string.Join(' ', args)} did not exit within {bound.TotalSeconds} s; stdout: {stdout.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static string Locate()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "IoMux.Cli.dll");
        string config = Path.Combine(AppContext.BaseDirectory, "IoMux.Cli.runtimeconfig.json");
        if (!File.Exists(dll) || !File.Exists(config))
        {
            throw new FileNotFoundException($"the iomux CLI build was not found beside the tests ({dll} and its runtimeconfig.json); build tests/IoMux.IntegrationTests, which references src/IoMux.Cli");
        }
        return dll;
    }
}
