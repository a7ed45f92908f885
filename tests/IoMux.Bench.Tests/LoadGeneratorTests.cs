using System.Net;
using System.Net.Sockets;
using IoMux.Cli.LoadGen;

namespace IoMux.Bench.Tests;

/// <summary>The load generator against real servers on loopback: clean echoes pass, every kind of wrong echo fails the run.</summary>
public class LoadGeneratorTests
{
    // Echoes still owed when the run ends get this long to arrive: long enough that a loaded machine never turns a
    // faithful echo (or a wrong one, which must be reported as wrong) into "never echoed". Only the stalling server,
    // which never echoes, waits it out, so it uses a short one.
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StallDrain = TimeSpan.FromMilliseconds(500);

    private static LoadOptions Options(int port, int connections = 2, int threads = 1, TimeSpan? drain = null) => new()
    {
        Port = port,
        Connections = connections,
        Threads = threads,
        Size = 64,
        Depth = 4,
        Warmup = TimeSpan.FromMilliseconds(100),
        Duration = TimeSpan.FromMilliseconds(400),
        DrainTimeout = drain ?? Drain,
    };

    [Fact]
    public void A_faithful_echo_server_gives_a_clean_result_with_latencies()
    {
        using var server = new FaultyEchoServer(Fault.None);
        LoadResult result = LoadGenerator.Run(Options(server.Port, connections: 4, threads: 2));
        Assert.True(result.Succeeded, string.Join("; ", result.ErrorMessages));
        Assert.Equal(0, result.Errors);
        Assert.True(result.Messages > 0);
        Assert.Equal(result.Messages, result.Histogram.TotalCount);
        Assert.True(result.Latency.P50 > 0 && result.Latency.P50 <= result.Latency.P99 && result.Latency.P99 <= result.Latency.Max);
    }

    [Theory]
    [InlineData(Fault.FlipByte, "byte 17 of message 3 was")]
    [InlineData(Fault.CloseEarly, "closed the connection")]
    [InlineData(Fault.ExtraByte, "byte 17 of message 3 was 0x42")]
    [InlineData(Fault.SwallowMessage, "of message 3 was")]
    [InlineData(Fault.Stall, "were never echoed")]
    public void A_wrong_echo_fails_the_run_on_every_connection(Fault fault, string expected)
    {
        const int At = (3 * 64) + 17; // byte 17 of message 3
        using var server = new FaultyEchoServer(fault, fault == Fault.SwallowMessage ? 3 * 64 : At);
        LoadResult result = LoadGenerator.Run(Options(server.Port, drain: fault == Fault.Stall ? StallDrain : Drain));
        Assert.False(result.Succeeded);
        Assert.Equal(2, result.Errors); // one per connection, each counted once
        Assert.Equal(2, result.ErrorMessages.Count);
        Assert.All(result.ErrorMessages, m => Assert.Contains(expected, m, StringComparison.Ordinal));
    }

    [Fact]
    public void Connecting_where_nothing_listens_is_refused_with_the_endpoint_named()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port; // free once the probe closes
        }
        var e = Assert.Throws<LoadGeneratorException>(() => LoadGenerator.Run(Options(port)));
        Assert.Contains("ECONNREFUSED", e.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused_before_any_connection()
    {
        var e = Assert.Throws<ArgumentException>(() => LoadGenerator.Run(Options(1) with { Depth = 0 }));
        Assert.StartsWith("--depth 0", e.Message, StringComparison.Ordinal);
    }
}
