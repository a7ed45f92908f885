using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace IoMux.IntegrationTests;

/// <summary>
/// <c>iomux echo</c> on a Unix socket (<c>--unix PATH</c>, <c>--unix @name</c>), on a listening socket it inherits
/// (<c>--fd N</c>, and socket activation's <c>LISTEN_FDS</c>) from a real parent that hands it over, and
/// <c>iomux bench --host unix:PATH</c> against it.
/// </summary>
public sealed class UnixAndHandedSocketTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Echo_on_a_unix_path_echoes_and_removes_its_socket_file_on_SIGTERM(string backend, string trigger, string io)
    {
        using var directory = new Scratch();
        string path = Path.Combine(directory.Path, "echo.sock");
        using EchoServer server = EchoServer.StartListeningAs(null, "--unix", path, "--backend", backend, "--trigger", trigger, "--io", io);
        Assert.True(File.Exists(path), "the socket file was not created");

        await EchoOnce(server.Address, 200_000);
        server.Signal("TERM");

        Assert.Equal(0, server.WaitForExit(ExitBound));
        Assert.False(File.Exists(path), $"the socket file is still there after a clean stop; stdout: {server.StandardOutput}");
    }

    [Fact]
    public async Task Echo_on_an_abstract_name_echoes()
    {
        string name = $"@iomux-it-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using EchoServer server = EchoServer.StartListeningAs(null, "--unix", name);

        Assert.Equal(name, server.Address.ToString());
        await EchoOnce(server.Address, 10_000);
    }

    [Fact]
    public void Echo_refuses_a_unix_path_a_live_server_answers_on_with_one_line()
    {
        using var directory = new Scratch();
        string path = Path.Combine(directory.Path, "live.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen();

        (int exit, string stdout, string stderr) = Cli.Run(Bound, "echo", "--unix", path);

        AssertOneLineUsageError(exit, stdout, stderr, $"unix:{path} is in use: a live server answers there");
    }

    [Theory]
    [InlineData("--unix and --fd both say where to listen", "--unix", "/tmp/x.sock", "--fd", "3")]
    [InlineData("--unix says where to listen, so --host and --port do not apply", "--unix", "/tmp/x.sock", "--port", "5000")]
    [InlineData("--fd -1 is not a descriptor", "--fd", "-1")]
    [InlineData("--fd 0: descriptor 0 is not a socket; pass a listening stream socket", "--fd", "0")]
    [InlineData("--unix '@' names no socket", "--unix", "@")]
    public void Echo_refuses_contradictory_or_wrong_listening_options_with_one_line(string expected, params string[] args)
    {
        (int exit, string stdout, string stderr) = Cli.Run(Bound, ["echo", .. args]);

        AssertOneLineUsageError(exit, stdout, stderr, expected);
    }

    [PythonFact]
    public async Task Echo_serves_a_TCP_listener_handed_to_it_as_fd_3()
    {
        using EchoServer server = EchoServer.StartListeningAs(HandSocket("fd", "tcp"), "--fd", "3");

        Assert.Contains("(fd 3, backend", server.StandardOutput, StringComparison.Ordinal);
        await EchoOnce(server.Address, 100_000);
        server.Signal("TERM");
        Assert.Equal(0, server.WaitForExit(ExitBound));
    }

    [PythonFact]
    public async Task Echo_serves_the_socket_passed_by_socket_activation()
    {
        using var directory = new Scratch();
        string path = Path.Combine(directory.Path, "activated.sock");
        using EchoServer server = EchoServer.StartListeningAs(HandSocket("activate", $"unix:{path}"));

        Assert.Contains("fd 3 'echo' from socket activation", server.StandardOutput, StringComparison.Ordinal);
        await EchoOnce(server.Address, 100_000);
        server.Signal("TERM");
        Assert.Equal(0, server.WaitForExit(ExitBound));
        Assert.True(File.Exists(path), "echo removed a socket file it did not bind (the activator owns it)");
    }

    [PythonTheory]
    [InlineData("bound", "--fd 3: descriptor 3 is a stream socket that is not listening")]
    [InlineData("udp", "--fd 3: descriptor 3 is a datagram socket; a server needs a listening stream socket")]
    public void Echo_refuses_a_handed_socket_that_is_not_a_listening_stream_socket(string kind, string expected)
    {
        AssertRefusedAtStart(["echo", "--fd", "3"], HandSocket("fd", kind), expected);
    }

    [PythonFact]
    public void Echo_refuses_a_port_beside_sockets_handed_over_by_socket_activation()
    {
        AssertRefusedAtStart(["echo", "--port", "0"], HandSocket("activate", "tcp"), "handed over 1 listening socket(s) (LISTEN_FDS), which say where to listen, so --host and --port do not apply; drop them");
    }

    /// <summary>The CLI under <paramref name="launcher"/> exits with one usage line; one that serves instead is killed, not left running.</summary>
    private static void AssertRefusedAtStart(string[] args, string[] launcher, string expected)
    {
        using System.Diagnostics.Process process = Cli.Start(args, launcher: launcher);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(process.WaitForExit(Bound), $"iomux {string.Join(' ', args)} did not exit");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.WaitForExit();

        AssertOneLineUsageError(process.ExitCode, stdout.Result, stderr.Result, expected);
    }

    [Fact]
    public void Bench_drives_an_echo_server_on_a_unix_socket()
    {
        using var directory = new Scratch();
        string path = Path.Combine(directory.Path, "bench.sock");
        using EchoServer server = EchoServer.StartListeningAs(null, "--unix", path);

        (int exit, string stdout, string stderr) = Cli.Run(Bound, "bench", "--host", $"unix:{path}", "--connections", "8", "--depth", "4", "--size", "1KiB", "--duration", "1s", "--warmup", "200ms", "--json");

        Assert.True(exit == 0, $"iomux bench exited {exit}; stderr: {stderr}");
        using JsonDocument result = JsonDocument.Parse(stdout);
        Assert.Equal($"unix:{path}", result.RootElement.GetProperty("endpoint").GetString());
        Assert.True(result.RootElement.GetProperty("messages").GetInt64() > 0, $"nothing was echoed: {stdout}");
        Assert.Equal(0, result.RootElement.GetProperty("errors").GetInt64());
    }

    /// <summary>The launcher that makes a socket and execs the CLI with it as descriptor 3.</summary>
    private static string[] HandSocket(string mode, string address) => ["python3", Path.Combine(AppContext.BaseDirectory, "hand-socket.py"), mode, address];

    private static async Task EchoOnce(EndPoint address, int size)
    {
        await Clients.Bounded(async ct =>
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, address is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
            await socket.ConnectAsync(address, ct);
            byte[] payload = Clients.Pattern(size, 7);
            Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"echo over {address}");
        }, Bound, $"an echo over {address}");
    }

    private static void AssertOneLineUsageError(int exit, string stdout, string stderr, string expected)
    {
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == 2, $"exited {exit}, not 2; stdout: {stdout}; stderr: {stderr}");
        Assert.True(lines.Length == 1, $"wrote {lines.Length} lines to stderr, not one: {stderr}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("listening", stdout, StringComparison.Ordinal);
    }

    /// <summary>A directory of its own for socket files, removed afterwards.</summary>
    private sealed class Scratch : IDisposable
    {
        public Scratch() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"iomux-it-{Environment.ProcessId}-{Guid.NewGuid():N}");

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A fact that needs python3 to hand the CLI a socket (.NET's Process cannot); skipped, saying so, without it.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute() => Skip = Python.Missing;
}

/// <summary>A theory that needs python3 to hand the CLI a socket; skipped, saying so, without it.</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    public PythonTheoryAttribute() => Skip = Python.Missing;
}

internal static class Python
{
    /// <summary>Null when python3 is on PATH; otherwise why the tests that need it are skipped.</summary>
    public static readonly string? Missing = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(directory => File.Exists(System.IO.Path.Combine(directory, "python3")))
        ? null
        : "python3 is not on PATH, and it is what hands iomux a listening socket as descriptor 3 here";
}
