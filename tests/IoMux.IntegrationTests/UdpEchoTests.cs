using System.Net;
using System.Net.Sockets;

namespace IoMux.IntegrationTests;

/// <summary><c>iomux echo --udp</c> as a process, on every backend × trigger × I/O model: exact datagrams, several loops, a clean stop, bad input.</summary>
public sealed class UdpEchoTests
{
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public void Echoes_datagrams_of_every_size_exactly_and_reports_them_when_stopped(string backend, string trigger, string io)
    {
        using var server = EchoServer.Start("--udp", "--backend", backend, "--trigger", trigger, "--io", io);
        Assert.Contains("(UDP, backend", server.StandardOutput, StringComparison.Ordinal);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000, ReceiveBufferSize = 1 << 20 };
        var random = new Random(862);
        byte[] buffer = new byte[70_000];
        foreach (int size in new[] { 0, 1, 1472, 65_507 })
        {
            byte[] datagram = new byte[size];
            random.NextBytes(datagram);
            client.SendTo(datagram, server.EndPoint);
            int n = client.Receive(buffer);
            Assert.Equal(size, n);
            Assert.True(buffer.AsSpan(0, n).SequenceEqual(datagram), $"the {size}-byte datagram came back altered");
        }
        server.Signal("TERM");
        Assert.Equal(0, server.WaitForExit(ExitBound));
        Assert.Contains("4 datagrams received", server.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("4 echoed", server.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_loops_share_the_port_and_every_peer_is_answered()
    {
        using var server = EchoServer.Start("--udp", "--loops", "3");
        var clients = Enumerable.Range(0, 12).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000 }).ToArray();
        try
        {
            byte[] buffer = new byte[16];
            for (int i = 0; i < clients.Length; i++)
            {
                clients[i].SendTo(BitConverter.GetBytes(i), server.EndPoint);
                Assert.Equal(4, clients[i].Receive(buffer));
                Assert.Equal(i, BitConverter.ToInt32(buffer));
            }
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
        }
        server.Signal("TERM");
        Assert.Equal(0, server.WaitForExit(ExitBound));
    }

    [Theory]
    [InlineData("--max-connections", "10", "--max-connections does not apply to --udp")]
    [InlineData("--idle-timeout", "5", "--idle-timeout does not apply to --udp")]
    public void Options_of_connections_are_refused_with_udp_in_one_line(string option, string value, string expected)
    {
        (int exitCode, string stdout, string stderr) = Cli.Run(TimeSpan.FromSeconds(30), "echo", "--udp", "--port", "0", option, value);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_udp_port_in_use_is_one_line_and_exit_code_2()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        (int exitCode, _, string stderr) = Cli.Run(TimeSpan.FromSeconds(30), "echo", "--udp", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, exitCode);
        Assert.Contains($"UDP port {port} on 127.0.0.1 is already in use", stderr, StringComparison.Ordinal);
    }
}
