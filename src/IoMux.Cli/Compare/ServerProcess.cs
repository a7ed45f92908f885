using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IoMux.Cli.Compare;

/// <summary>
/// A peer or IoMux echo server running as a child process on 127.0.0.1:port, with its PID exposed so
/// its CPU time and RSS can be read from /proc. Disposing stops it (SIGTERM, then kill).
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringWriter _output = new();

    private ServerProcess(ServerSpec spec, int port, Process process)
    {
        Spec = spec;
        Port = port;
        _process = process;
    }

    public ServerSpec Spec { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public ProcessUsage Usage() => ProcessUsage.Read(Pid);

    /// <summary>Starts the server and waits until its port accepts connections.</summary>
    public static ServerProcess Start(ServerSpec spec, int port, TimeSpan readyTimeout, bool udp = false)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {spec.Name} ({spec.FileName})");
        var server = new ServerProcess(spec, port, process);
        process.OutputDataReceived += (_, e) => server.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.WaitUntilListening(readyTimeout, udp);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first: every server here shuts down cleanly on it; kill only if it does not.
            Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        _process.Dispose();
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.GetStringBuilder().Length < 16 * 1024)
            {
                _output.WriteLine(line);
            }
        }
    }

    private void WaitUntilListening(TimeSpan timeout, bool udp)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Spec.Name} exited with code {_process.ExitCode} before listening on port {Port}: {CapturedOutput()}");
            }
            try
            {
                if (udp ? EchoesDatagram() : AcceptsConnection())
                {
                    return;
                }
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"{Spec.Name} did not listen on port {Port} within {timeout.TotalSeconds:0} s: {CapturedOutput()}");
    }

    private bool AcceptsConnection()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Connect(new IPEndPoint(IPAddress.Loopback, Port));
        return true;
    }

    /// <summary>A UDP server is ready when it answers: a datagram sent before it bound is simply lost (or refused), so ask again.</summary>
    private bool EchoesDatagram()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
        probe.Connect(new IPEndPoint(IPAddress.Loopback, Port));
        probe.Send("ready?"u8);
        byte[] answer = new byte[16];
        return probe.Receive(answer) == 6;
    }

    private string CapturedOutput()
    {
        lock (_output)
        {
            string text = _output.ToString().Trim();
            return text.Length == 0 ? "(no output)" : text.ReplaceLineEndings(" | ");
        }
    }
}
