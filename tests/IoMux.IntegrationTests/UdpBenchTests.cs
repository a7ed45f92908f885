namespace IoMux.IntegrationTests;

/// <summary><c>iomux bench --udp</c> as a process: a clean run against <c>echo --udp</c> exits 0, no server exits 1 saying so, bad input exits 2 in one line.</summary>
public sealed class UdpBenchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_run_against_echo_udp_checks_every_datagram_and_exits_0()
    {
        using var server = EchoServer.Start("--udp");
        (int exitCode, string stdout, string stderr) = Cli.Run(Bound, "bench", "--udp", "--port", server.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "8", "-d", "4", "--duration", "1s", "--warmup", "200ms", "--json");
        Assert.True(exitCode == 0, $"exit {exitCode}; stderr: {stderr}");
        Assert.Contains("\"corrupt\": 0", stdout, StringComparison.Ordinal);
        Assert.Contains("\"succeeded\": true", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_with_no_server_answering_exits_1_and_says_so()
    {
        // A port nothing listens on: every datagram is refused (ICMP), none answered.
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        int port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Dispose();
        (int exitCode, _, string stderr) = Cli.Run(Bound, "bench", "--udp", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "2", "--duration", "300ms", "--warmup", "0", "--loss-timeout", "200ms", "--json");
        Assert.Equal(1, exitCode);
        Assert.Contains("no datagram was answered", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--size", "8", "--size 8 is out of range for --udp")]
    [InlineData("--loss-threshold", "150", "--loss-threshold 150 is out of range")]
    public void Bad_input_is_one_line_and_exit_code_2(string option, string value, string expected)
    {
        (int exitCode, string stdout, string stderr) = Cli.Run(Bound, "bench", "--udp", option, value);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Rate_without_udp_is_refused()
    {
        (int exitCode, _, string stderr) = Cli.Run(Bound, "bench", "--rate", "100");
        Assert.Equal(2, exitCode);
        Assert.Contains("--rate and --loss-threshold apply to --udp only", stderr, StringComparison.Ordinal);
    }
}
