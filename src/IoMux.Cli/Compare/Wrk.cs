using System.Diagnostics;
using System.Globalization;

namespace IoMux.Cli.Compare;

/// <summary>Runs wrk (the Debian package) against one server and workload, and reads its report.</summary>
internal static class Wrk
{
    public static WrkResult Run(int port, HttpWorkload workload, TimeSpan duration, int threads, CancellationToken cancellationToken)
    {
        string? script = workload.IsPost ? WritePostScript() : null;
        try
        {
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // wrk takes whole seconds; a shorter run would not be one.
            int seconds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
            string[] args =
            [
                "-t", Math.Min(threads, workload.Connections).ToString(CultureInfo.InvariantCulture),
                "-c", workload.Connections.ToString(CultureInfo.InvariantCulture),
                "-d", seconds.ToString(CultureInfo.InvariantCulture) + "s",
                "--latency",
                .. script is null ? Array.Empty<string>() : ["-s", script],
                $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{workload.Path}",
            ];
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new UsageException($"wrk did not start ({e.Message}); install it (apt-get install wrk) or run bench/http.sh, which does", e);
            }
            using (process)
            using (cancellationToken.Register(() => Stop(process)))
            {
                Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                string stderr = process.StandardError.ReadToEnd();
                process.WaitForExit();
                cancellationToken.ThrowIfCancellationRequested();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"wrk {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Trim()} {stdout.Result.Trim()}");
                }
                return WrkResult.Parse(stdout.Result);
            }
        }
        finally
        {
            if (script is not null)
            {
                File.Delete(script);
            }
        }
    }

    // wrk sends a body only from a Lua script: the same 16 KiB on every request of the run.
    private static string WritePostScript()
    {
        string path = Path.Combine(Path.GetTempPath(), $"iomux-wrk-post-{Environment.ProcessId}-{Guid.NewGuid():N}.lua");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture,
            $"wrk.method = \"POST\"\nwrk.body = string.rep(\"x\", {HttpWorkload.EchoBodySize})\nwrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n"));
        return path;
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }
}
