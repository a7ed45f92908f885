using System.Net.Sockets;

namespace IoMux.IntegrationTests;

/// <summary>Bytes come back as sent, whatever the size, the concurrency or the half-close.</summary>
public sealed class EchoDataTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Messages_from_1_byte_to_4_MiB_come_back_byte_for_byte(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        await server.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            foreach (int size in new[] { 1, 2, 100, 1460, 4096, 65535, 65536, 65537, 1 << 20, 4 << 20 })
            {
                byte[] payload = Clients.Pattern(size, size);
                Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"{size}-byte message");
            }
        }, Bound, $"echoing 1 B to 4 MiB on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Two_hundred_concurrent_clients_with_random_sizes_each_get_their_own_bytes_back(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        await server.Bounded(ct => Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            byte[] payload = Clients.Pattern(new Random(i).Next(1, 128 * 1024), i);
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            Task send = Clients.SendAllAsync(socket, payload, ct).ContinueWith(_ => socket.Shutdown(SocketShutdown.Send), ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            byte[] echoed = await Clients.ReceiveToEndAsync(socket, ct);
            await send;
            Clients.AssertSame(payload, echoed, $"client {i}");
        })), Bound, $"200 concurrent clients on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task A_client_that_sends_8_MiB_then_shuts_down_its_write_side_receives_all_8_MiB_then_EOF(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        await server.Bounded(async ct =>
        {
            byte[] payload = Clients.Pattern(8 << 20, 8);
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            Task<byte[]> echoed = Clients.ReceiveToEndAsync(socket, ct);
            await Clients.SendAllAsync(socket, payload, ct);
            socket.Shutdown(SocketShutdown.Send);
            Clients.AssertSame(payload, await echoed, "8 MiB then half-close"); // ReceiveToEnd returns only at EOF
        }, Bound, $"8 MiB half-close on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.Transports), MemberType = typeof(Combos))]
    public async Task Several_loops_share_the_port_and_serve_concurrent_clients(string backend)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--loops", "3");
        Assert.Contains("loops 3", server.StandardOutput, StringComparison.Ordinal);
        await server.Bounded(ct => Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            byte[] payload = Clients.Pattern(new Random(i).Next(1, 64 * 1024), i);
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"client {i}");
        })), Bound, "100 clients on 3 loops");
    }

    [Fact]
    public async Task Trace_prints_one_line_per_event_as_the_tutorial_did()
    {
        using EchoServer server = EchoServer.Start("--backend", "poll", "--trace");
        await server.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            Clients.AssertSame("hello"u8.ToArray(), await Clients.RoundTripAsync(socket, "hello"u8.ToArray(), ct), "hello");
            socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await Clients.ReceiveToEndAsync(socket, ct));
        }, Bound, "a traced round trip");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!server.StandardOutput.Contains("closed (PeerClosed)", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
        string trace = server.StandardOutput;
        foreach (string expected in new[] { "waiting for I/O", "ready: fd", "accepted", "read 5 bytes", "wrote 5 bytes", "EOF from peer", "closed (PeerClosed)" })
        {
            Assert.True(trace.Contains(expected, StringComparison.Ordinal), $"the trace has no '{expected}' line:\n{trace}");
        }
    }
}
