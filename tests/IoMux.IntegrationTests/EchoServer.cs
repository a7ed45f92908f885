using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace IoMux.IntegrationTests;

/// <summary>
/// The real <c>iomux echo</c> process, started from the CLI build copied beside these tests, on port 0
/// (the listening line tells the real port). Every wait is bounded and fails with what was seen.
/// </summary>
internal sealed partial class EchoServer : IDisposable
{
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private EchoServer(Process process, EndPoint address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Where the server listens: its TCP address, or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public EndPoint Address { get; }

    public IPEndPoint EndPoint => Address as IPEndPoint ?? throw new InvalidOperationException($"this server listens on {Address}, not TCP; use Address");

    public int Pid => _process.Id;

    public string StandardOutput => string.Join('\n', _stdout);

    public string StandardError => string.Join('\n', _stderr);

    public IReadOnlyCollection<string> ErrorLines => _stderr;

    /// <summary>Starts <c>iomux echo --port 0</c> with <paramref name="args"/> and waits for its listening line.</summary>
    public static EchoServer Start(params string[] args) => StartWithDescriptorLimit(null, args);

    /// <summary>As <see cref="Start"/>, with RLIMIT_NOFILE (soft and hard) set to <paramref name="limit"/> through prlimit.</summary>
    public static EchoServer StartWithDescriptorLimit(int? limit, params string[] args) => Launch(["echo", "--port", "0", .. args], limit, null);

    /// <summary>Starts <c>iomux echo</c> with exactly <paramref name="args"/> (no <c>--port 0</c>: they say where it listens), under <paramref name="launcher"/> if given.</summary>
    public static EchoServer StartListeningAs(IReadOnlyList<string>? launcher, params string[] args) => Launch(["echo", .. args], null, launcher);

    private static EchoServer Launch(string[] args, int? limit, IReadOnlyList<string>? launcher)
    {
        Process process = Cli.Start(args, limit, launcher);
        var stdout = new ConcurrentQueue<string>();
        var stderr = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<EndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("iomux echo closed its output before it was listening"));
                return;
            }
            stdout.Enqueue(e.Data);
            Match unix = UnixListeningLine().Match(e.Data);
            Match m = ListeningLine().Match(e.Data);
            if (unix.Success)
            {
                string path = unix.Groups["path"].Value;
                listening.TrySetResult(new UnixDomainSocketEndPoint(path.StartsWith('@') ? "\0" + path[1..] : path));
            }
            else if (m.Success)
            {
                listening.TrySetResult(new IPEndPoint(IPAddress.Parse(m.Groups["host"].Value.Trim('[', ']')), int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                stderr.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!listening.Task.Wait(StartBound) || !listening.Task.IsCompletedSuccessfully)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            process.Dispose();
            throw new InvalidOperationException($"iomux echo {string.Join(' ', args)} did not print its listening line within {StartBound.TotalSeconds} s; stdout: {string.Join('\n', stdout)}; stderr: {string.Join('\n', stderr)}");
        }
        var server = new EchoServer(process, listening.Task.Result);
        foreach (string line in stdout)
        {
            server._stdout.Enqueue(line);
        }
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._stderr.Enqueue(e.Data);
            }
        };
        foreach (string line in stderr)
        {
            server._stderr.Enqueue(line);
        }
        return server;
    }

    /// <summary>Open descriptors of the server process (entries of /proc/PID/fd).</summary>
    public int CountDescriptors() => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    /// <summary>CPU time the server has used (user + system), from /proc/PID/stat.</summary>
    public TimeSpan CpuTime()
    {
        string stat = File.ReadAllText($"/proc/{Pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    /// <summary>The server's resident set size (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"no VmRSS in /proc/{Pid}/status");
    }

    /// <summary>The descriptor count once it has held still for a few samples (after startup settles).</summary>
    public int SettledDescriptorCount()
    {
        int last = CountDescriptors();
        int stable = 0;
        var clock = Stopwatch.StartNew();
        while (stable < 4 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
            int now = CountDescriptors();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /// <summary>Waits (bounded) until the server's descriptor count is back to <paramref name="expected"/>; returns the last count seen.</summary>
    public int WaitForDescriptorCount(int expected, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        int count = CountDescriptors();
        while (count != expected && clock.Elapsed < bound)
        {
            Thread.Sleep(50);
            count = CountDescriptors();
        }
        return count;
    }

    public void Signal(string signal)
    {
        using Process kill = Process.Start("kill", ["-s", signal, Pid.ToString(CultureInfo.InvariantCulture)]);
        if (!kill.WaitForExit(10_000) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {Pid} failed");
        }
    }

    /// <summary>Waits (bounded) for the process to exit and returns its exit code.</summary>
    public int WaitForExit(TimeSpan bound)
    {
        if (!_process.WaitForExit(bound))
        {
            throw new TimeoutException($"iomux echo (pid {Pid}) did not exit within {bound.TotalSeconds} s; stdout: {StandardOutput}; stderr: {StandardError}");
        }
        _process.WaitForExit(); // drain the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (?<host>\S+):(?<port>\d+) ")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"listening on unix:(?<path>\S+) ")]
    private static partial Regex UnixListeningLine();
}
