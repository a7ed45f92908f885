using IoMux.Cli.UdpLoad;

namespace IoMux.Bench.Tests;

/// <summary>The UDP load generator against servers that drop, corrupt, duplicate and reorder: each fault counted as itself, and only what should fail a run does.</summary>
public sealed class UdpLoadGeneratorTests
{
    private static UdpLoadOptions Options(int port, double? threshold = null) => new()
    {
        Port = port,
        Clients = 4,
        Window = 4,
        Size = 200,
        Duration = TimeSpan.FromMilliseconds(600),
        Warmup = TimeSpan.Zero,
        LossTimeout = TimeSpan.FromMilliseconds(300),
        LossThresholdPercent = threshold,
    };

    [Fact]
    public void A_faithful_server_gets_a_clean_run()
    {
        using var server = new FaultyUdpEchoServer(UdpFault.None, every: 1);
        UdpLoadResult result = UdpLoadGenerator.Run(Options(server.Port, threshold: 0), CancellationToken.None);
        Assert.True(result.Received > 0, "nothing was answered");
        Assert.Equal(result.Sent, result.Received + result.Lost);
        Assert.Equal((0L, 0L, 0L), (result.Corrupt, result.Duplicated, result.Late));
        Assert.True(result.Succeeded, $"a clean run failed: lost {result.Lost}");
    }

    [Fact]
    public void Dropped_datagrams_are_counted_lost_and_fail_the_run_only_above_the_threshold()
    {
        using var server = new FaultyUdpEchoServer(UdpFault.Drop, every: 5);
        UdpLoadResult result = UdpLoadGenerator.Run(Options(server.Port), CancellationToken.None);
        Assert.True(result.Lost > 0, "no loss was counted from a server that drops every fifth datagram");
        Assert.Equal(0, result.Corrupt);
        Assert.True(result.Succeeded, "loss without a threshold failed the run");

        UdpLoadResult strict = UdpLoadGenerator.Run(Options(server.Port, threshold: 1), CancellationToken.None);
        Assert.True(strict.LossPercent > 1, $"loss was {strict.LossPercent} %");
        Assert.False(strict.Succeeded, "loss above --loss-threshold passed");
    }

    [Fact]
    public void A_corrupted_byte_is_counted_and_fails_the_run()
    {
        using var server = new FaultyUdpEchoServer(UdpFault.Corrupt, every: 7);
        UdpLoadResult result = UdpLoadGenerator.Run(Options(server.Port), CancellationToken.None);
        Assert.True(result.Corrupt > 0, "no corruption was counted");
        Assert.False(result.Succeeded);
        Assert.Equal(0, result.Duplicated);
    }

    [Fact]
    public void A_datagram_answered_twice_is_a_duplicate_not_corruption()
    {
        using var server = new FaultyUdpEchoServer(UdpFault.Duplicate, every: 3);
        UdpLoadResult result = UdpLoadGenerator.Run(Options(server.Port), CancellationToken.None);
        Assert.True(result.Duplicated > 0, "no duplicate was counted");
        Assert.Equal(0, result.Corrupt);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void An_answer_overtaken_by_a_later_one_is_counted_reordered()
    {
        using var server = new FaultyUdpEchoServer(UdpFault.Reorder, every: 4);
        UdpLoadResult result = UdpLoadGenerator.Run(Options(server.Port), CancellationToken.None);
        Assert.True(result.Reordered > 0, "no reordering was counted");
        Assert.Equal(0, result.Corrupt);
        Assert.True(result.Succeeded);
    }
}
