using System.Net.Sockets;
using Xunit.Abstractions;

namespace IoMux.IntegrationTests;

/// <summary>Descriptors and memory come back: resets, connect/close churn, and a warm-up first so the baseline is honest.</summary>
public sealed class ResourceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Clients_that_reset_mid_stream_disturb_no_one_and_leak_no_descriptors(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        int baseline = await WarmUpAsync(server);

        await server.Bounded(async ct =>
        {
            Task steady = Task.Run(async () =>
            {
                using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
                for (int round = 0; round < 20; round++)
                {
                    byte[] payload = Clients.Pattern(64 * 1024, round);
                    Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"steady client, round {round}");
                }
            }, ct);
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            {
                Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
                // Unread echoes pile up on the server's side; then the reset lands in the middle of them.
                await Clients.SendAllAsync(socket, Clients.Pattern(256 * 1024, i), ct);
                Clients.Reset(socket);
            }));
            await steady;
        }, Bound, $"resets beside a steady client on {backend}/{io}/{trigger}");

        int after = server.WaitForDescriptorCount(baseline, SettleBound);
        output.WriteLine($"{backend}/{io}/{trigger}: server fds before {baseline}, after 50 resets {after}");
        Assert.True(after == baseline, $"the server had {baseline} descriptors before 50 resets and {after} after");
        await AssertStillEchoesAsync(server);
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Two_thousand_connect_close_cycles_leave_the_descriptor_count_where_it_started(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        int baseline = await WarmUpAsync(server);

        await server.Bounded(ct => Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            byte[] one = [(byte)worker];
            for (int i = 0; i < 500; i++)
            {
                using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
                if (i % 2 == 0)
                {
                    Clients.AssertSame(one, await Clients.RoundTripAsync(socket, one, ct), $"cycle {i}");
                }
            }
        })), Bound, $"2000 connect/close cycles on {backend}/{io}/{trigger}");

        int after = server.WaitForDescriptorCount(baseline, SettleBound);
        output.WriteLine($"{backend}/{io}/{trigger}: server fds before {baseline}, after 2000 connect/close cycles {after}");
        Assert.True(after == baseline, $"the server had {baseline} descriptors before 2000 cycles and {after} after");
        await AssertStillEchoesAsync(server);
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Clients_that_send_32_MiB_and_never_read_keep_the_servers_memory_flat(string backend, string trigger, string io)
    {
        const int ClientCount = 3;
        const long Attempt = 32L << 20;
        const long Limit = 64L << 20;
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        int baselineFds = await WarmUpAsync(server);
        long baselineRss = server.ResidentBytes();
        long peakRss = baselineRss;
        using var sampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, server.ResidentBytes());
                await Task.Delay(50, CancellationToken.None);
            }
        });

        var sockets = new List<Socket>();
        long[] sent = new long[ClientCount];
        try
        {
            await server.Bounded(async ct =>
            {
                for (int i = 0; i < ClientCount; i++)
                {
                    sockets.Add(await Clients.ConnectAsync(server.EndPoint, ct));
                }
                await Clients.SendUntilStalledAsync(sockets, sent, Attempt, ct);
            }, Bound, $"non-reading clients on {backend}/{io}/{trigger}");
            await Task.Delay(300); // let the server finish whatever it was doing when the clients stalled
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }

        long growth = peakRss - baselineRss;
        output.WriteLine($"{backend}/{io}/{trigger}: {ClientCount} clients tried {Attempt >> 20} MiB each, sent {string.Join(", ", sent.Select(s => $"{s / (1 << 20)} MiB"))} before stalling; "
            + $"server RSS {baselineRss / (1 << 20)} MiB before, peak {peakRss / (1 << 20)} MiB, growth {growth / (1 << 20)} MiB");
        Assert.True(growth < Limit, $"the server's RSS grew by {growth >> 20} MiB (limit {Limit >> 20} MiB) under non-reading clients");
        Assert.True(sent.All(s => s < Attempt), $"every non-reading client should have been stopped by backpressure, but they sent {string.Join(", ", sent)} bytes");

        foreach (Socket socket in sockets)
        {
            socket.Dispose();
        }
        int after = server.WaitForDescriptorCount(baselineFds, SettleBound);
        Assert.True(after == baselineFds, $"the server had {baselineFds} descriptors before and {after} after the non-reading clients left");
        await AssertStillEchoesAsync(server);
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Thousands_of_idle_connections_beside_active_ones_are_all_served(string backend, string trigger, string io)
    {
        // select cannot watch descriptors ≥ 1024, so it gets as many idle connections as fit beneath that.
        int idleCount = backend == "select" ? 800 : 2000;
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        int baseline = await WarmUpAsync(server);
        var idle = new Socket[idleCount];
        try
        {
            await server.Bounded(async ct =>
            {
                for (int batch = 0; batch < idleCount; batch += 100)
                {
                    await Task.WhenAll(Enumerable.Range(batch, Math.Min(100, idleCount - batch)).Select(async i => idle[i] = await Clients.ConnectAsync(server.EndPoint, ct)));
                }
                await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
                {
                    byte[] payload = Clients.Pattern(new Random(i).Next(1, 256 * 1024), i);
                    using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
                    Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"active client {i}");
                }));
                // Every idle connection is still there and still served.
                for (int batch = 0; batch < idleCount; batch += 200)
                {
                    await Task.WhenAll(Enumerable.Range(batch, Math.Min(200, idleCount - batch)).Select(async i =>
                    {
                        byte[] one = [(byte)i];
                        Clients.AssertSame(one, await Clients.RoundTripAsync(idle[i], one, ct), $"idle connection {i}");
                    }));
                }
            }, Bound, $"{idleCount} idle connections beside 50 active ones on {backend}/{io}/{trigger}");
            int during = server.CountDescriptors();
            output.WriteLine($"{backend}/{io}/{trigger}: server fds {baseline} at rest, {during} with {idleCount} idle connections");
            Assert.True(during >= baseline + idleCount, $"the server should hold {idleCount} idle connections beside its {baseline} descriptors, but has {during}");
        }
        finally
        {
            foreach (Socket? socket in idle)
            {
                socket?.Dispose();
            }
        }
        int after = server.WaitForDescriptorCount(baseline, SettleBound);
        Assert.True(after == baseline, $"the server had {baseline} descriptors before and {after} after {idleCount} idle connections closed");
    }

    /// <summary>A round trip that touches the big-message path, then the settled descriptor count.</summary>
    internal static async Task<int> WarmUpAsync(EchoServer server)
    {
        await server.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            byte[] payload = Clients.Pattern(4 << 20, 1);
            Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), "warm-up");
        }, Bound, "the warm-up round trip");
        return server.SettledDescriptorCount();
    }

    internal static Task AssertStillEchoesAsync(EchoServer server) => server.Bounded(async ct =>
    {
        using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
        byte[] payload = Clients.Pattern(100_000, 42);
        Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), "a fresh client afterwards");
    }, Bound, "a fresh client afterwards");
}
