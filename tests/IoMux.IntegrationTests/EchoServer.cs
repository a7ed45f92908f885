using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace IoMux.IntegrationTests;

/// <summary>
/// The real <c>iomux echo</c> process (or an <c>iomux proxy</c> in front of one), started from the CLI build copied
/// beside these tests, on port 0 (the listening line tells the real port). Every wait is bounded and fails with what was seen.
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

    /// <summary>Starts <c>iomux proxy</c> on a free loopback port, forwarding to <paramref name="upstream"/>, with <paramref name="args"/>.</summary>
    public static EchoServer StartProxy(IPEndPoint upstream, params string[] args) =>
        Launch(["proxy", "--listen", "127.0.0.1:0", "--to", upstream.ToString(), .. args], null, null);

    private static EchoServer Launch(string[] commandLine, int? limit, IReadOnlyList<string>? launcher)
    {
        string command = commandLine[0];
        string[] args = commandLine[1..];
        Process process = Cli.Start(commandLine, limit, launcher);
        var stdout = new ConcurrentQueue<string>();
        var stderr = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<EndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"iomux {command} closed its output before it was listening"));
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
            throw new InvalidOperationException($"iomux {command} {string.Join(' ', args)} did not print its listening line within {StartBound.TotalSeconds} s; stdout: {string.Join('\n', stdout)}; stderr: {string.Join('\n', stderr)}");
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

    /// <summary>Open sockets of the server process: connections and listeners, without the files the runtime maps as it warms up.</summary>
    public int CountSockets() => OpenDescriptors.Targets(Pid.ToString(CultureInfo.InvariantCulture)).Count(target => target.StartsWith("socket:", StringComparison.Ordinal));

    /// <summary>Waits (bounded) until the server holds <paramref name="expected"/> sockets; returns the last count seen.</summary>
    public int WaitForSocketCount(int expected, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        int count = CountSockets();
        while (count != expected && clock.Elapsed < bound)
        {
            Thread.Sleep(50);
            count = CountSockets();
        }
        return count;
    }

    /// <summary>What the server's descriptors are (sockets, pipes, files), counted by kind: for failure messages.</summary>
    public string DescribeDescriptors()
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string target in OpenDescriptors.Targets(Pid.ToString(CultureInfo.InvariantCulture)))
        {
            string kind = target.StartsWith("socket:", StringComparison.Ordinal) ? "socket" : target.StartsWith("anon_inode:", StringComparison.Ordinal) ? target : Path.GetFileName(target);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        return string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"));
    }

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
    public int SettledDescriptorCount() => Settled(CountDescriptors);

    /// <summary>
    /// The socket count once it has held still: the listeners, and the runtime's own diagnostics socket where
    /// DOTNET_EnableDiagnostics leaves it on.
    /// </summary>
    public int SettledSocketCount() => Settled(CountSockets);

    private static int Settled(Func<int> count)
    {
        int last = count();
        int stable = 0;
        var clock = Stopwatch.StartNew();
        while (stable < 4 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
            int now = count();
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

    /// <summary>
    /// <see cref="Clients.Bounded"/> against this server: a client-side failure also says whether the server is still
    /// running and what it wrote to stderr, so a fault in the server (which drains and closes every client) is told
    /// apart from a client or kernel problem.
    /// </summary>
    public async Task Bounded(Func<CancellationToken, Task> body, TimeSpan bound, string what)
    {
        try
        {
            await Clients.Bounded(body, bound, what);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {e.GetType().Name}: {e.Message}; {Describe()}", e);
        }
    }

    private string Describe()
    {
        string state = _process.HasExited ? $"exited with {_process.ExitCode}" : "still running";
        string stderr = _stderr.IsEmpty ? "nothing" : StandardError;
        return $"iomux (pid {Pid}) is {state}; its stderr: {stderr}";
    }

    /// <summary>Waits (bounded) for the process to exit and returns its exit code.</summary>
    public int WaitForExit(TimeSpan bound)
    {
        if (!_process.WaitForExit(bound))
        {
            throw new TimeoutException($"iomux (pid {Pid}) did not exit within {bound.TotalSeconds} s; stdout: {StandardOutput}; stderr: {StandardError}");
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
