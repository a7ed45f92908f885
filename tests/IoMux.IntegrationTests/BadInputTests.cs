using System.Net;
using System.Net.Sockets;

namespace IoMux.IntegrationTests;

/// <summary>Every kind of bad command line: exit code 2 and one clear line on stderr, no stack trace.</summary>
public sealed class BadInputTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("unknown backend 'kqueue'", "echo", "--backend", "kqueue")]
    [InlineData("unknown trigger 'sometimes'", "echo", "--trigger", "sometimes")]
    [InlineData("the poll backend does not support edge triggering", "echo", "--backend", "poll", "--trigger", "edge")]
    [InlineData("the select backend does not support edge triggering", "echo", "--backend", "select", "--trigger", "edge")]
    [InlineData("--trigger edge does not apply to the completion model", "echo", "--backend", "uring", "--trigger", "edge")]
    [InlineData("--trigger oneshot does not apply to the completion model", "echo", "--backend", "uring", "--trigger", "oneshot")]
    [InlineData("--trigger edge does not apply to the completion model", "echo", "--backend", "uring", "--io", "completion", "--trigger", "edge")]
    [InlineData("unknown I/O model 'async'", "echo", "--io", "async")]
    [InlineData("--io completion does not run on --backend epoll: the completion model needs the io_uring backend", "echo", "--backend", "epoll", "--io", "completion")]
    [InlineData("--io completion does not run on --backend poll: the completion model needs the io_uring backend", "echo", "--backend", "poll", "--io", "completion")]
    [InlineData("--io completion does not run on --backend select: the completion model needs the io_uring backend", "echo", "--backend", "select", "--io", "completion")]
    [InlineData("--io completion does not run on --backend auto: the completion model needs the io_uring backend; epoll offers readiness only", "echo", "--io", "completion")]
    [InlineData("--io completion does not run on --backend poll", "echo", "--backend", "poll", "--io", "completion", "--trigger", "oneshot")]
    [InlineData("--port 70000 is out of range", "echo", "--port", "70000")]
    [InlineData("--port -1 is out of range", "echo", "--port", "-1")]
    [InlineData("--loops 0 is out of range", "echo", "--loops", "0")]
    [InlineData("--write-limit 10 is too small", "echo", "--write-limit", "10")]
    [InlineData("--idle-timeout 0 is not a positive number", "echo", "--idle-timeout", "0")]
    [InlineData("'abc'", "echo", "--port", "abc")]
    [InlineData("--listen nope: write HOST:PORT", "proxy", "--listen", "nope", "--to", "127.0.0.1:1")]
    [InlineData("--to 127.0.0.1:99999: the port must be a number from 0 to 65535", "proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:99999")]
    [InlineData("--to ::1:80: put an IPv6 address in brackets", "proxy", "--listen", "127.0.0.1:0", "--to", "::1:80")]
    [InlineData("--to unix:: the Unix socket needs a path", "proxy", "--listen", "127.0.0.1:0", "--to", "unix:")]
    [InlineData("--loops 0 is out of range", "proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--loops", "0")]
    [InlineData("--connect-timeout 0 is out of range", "proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--connect-timeout", "0")]
    [InlineData("--write-limit 10 is too small", "proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--write-limit", "10")]
    [InlineData("unknown backend 'kqueue'", "proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--backend", "kqueue")]
    [InlineData("--to", "proxy", "--listen", "127.0.0.1:0")]
    public void Bad_input_exits_2_with_one_line_naming_the_problem(string expected, params string[] args)
    {
        AssertUsageError(expected, args);
    }

    [Fact]
    public void A_port_in_use_exits_2_with_one_line()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        AssertUsageError($"port {port} on 127.0.0.1 is already in use", "echo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void AssertUsageError(string expected, params string[] args)
    {
        (int exitCode, string stdout, string stderr) = Cli.Run(Bound, args);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exitCode == 2, $"iomux {string.Join(' ', args)} exited {exitCode}, not 2; stdout: {stdout}; stderr: {stderr}");
        Assert.True(lines.Length == 1, $"iomux {string.Join(' ', args)} wrote {lines.Length} lines to stderr, not one: {stderr}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", stdout, StringComparison.Ordinal);
    }
}
