using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace IoMux.IntegrationTests;

/// <summary>
/// The echo checks run through <c>iomux proxy</c> (on every backend × trigger × I/O model) in front of an
/// <c>iomux echo</c>, and what only a proxy has: half-close and resets passed on, upstreams that refuse or never
/// answer, a drain on SIGINT. The proxy process's descriptors and memory are the ones measured.
/// </summary>
public sealed class ProxyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Messages_from_1_byte_to_8_MiB_come_back_through_the_proxy(string backend, string trigger, string io)
    {
        using EchoServer echo = EchoServer.Start();
        using EchoServer proxy = StartProxy(echo, backend, trigger, io);
        await proxy.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
            foreach (int size in new[] { 1, 1000, 64 * 1024, 1 << 20, 8 << 20 })
            {
                byte[] payload = Clients.Pattern(size, size);
                Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"{size} bytes through the proxy");
            }
        }, Bound, $"messages through the proxy on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Five_hundred_concurrent_clients_each_get_their_own_bytes_back(string backend, string trigger, string io)
    {
        int clients = backend == "select" ? 200 : 500; // the proxy holds two descriptors per client, and select stops at 1024
        using EchoServer echo = EchoServer.Start();
        using EchoServer proxy = StartProxy(echo, backend, trigger, io);
        await proxy.Bounded(ct => Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            byte[] payload = Clients.Pattern(new Random(i).Next(1, 128 * 1024), i);
            using Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
            Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), $"client {i}");
        })), Bound, $"{clients} concurrent clients through the proxy on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task A_clients_FIN_is_passed_on_and_the_replies_keep_flowing_back(string backend, string trigger, string io)
    {
        using EchoServer echo = EchoServer.Start();
        using EchoServer proxy = StartProxy(echo, backend, trigger, io);
        await proxy.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
            byte[] payload = Clients.Pattern(8 << 20, 8);
            Task<byte[]> echoed = Clients.ReceiveToEndAsync(socket, ct);
            await Clients.SendAllAsync(socket, payload, ct);
            socket.Shutdown(SocketShutdown.Send);
            Clients.AssertSame(payload, await echoed, "8 MiB sent before a half-close, then EOF");
        }, Bound, $"client half-close through the proxy on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task An_upstreams_FIN_is_passed_on_and_the_client_can_still_send(string backend, string trigger, string io)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        upstream.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        upstream.Listen();
        using EchoServer proxy = EchoServer.StartProxy((IPEndPoint)upstream.LocalEndPoint!, "--backend", backend, "--trigger", trigger, "--io", io);
        await proxy.Bounded(async ct =>
        {
            using Socket client = await Clients.ConnectAsync(proxy.EndPoint, ct);
            using Socket served = await upstream.AcceptAsync(ct);
            await Clients.SendAllAsync(served, "greeting"u8.ToArray(), ct);
            served.Shutdown(SocketShutdown.Send);

            Assert.Equal("greeting"u8.ToArray(), await Clients.ReceiveToEndAsync(client, ct)); // the greeting, then EOF
            byte[] late = Clients.Pattern(1 << 20, 3);
            await Clients.SendAllAsync(client, late, ct);
            client.Shutdown(SocketShutdown.Send);
            Clients.AssertSame(late, await Clients.ReceiveToEndAsync(served, ct), "what the client sent after the upstream's FIN");
        }, Bound, $"upstream half-close through the proxy on {backend}/{io}/{trigger}");
    }

    [Fact]
    public async Task Trace_shows_the_upstreams_FIN_read_on_one_connection_and_sent_on_the_other()
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        upstream.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        upstream.Listen();
        using EchoServer proxy = EchoServer.StartProxy((IPEndPoint)upstream.LocalEndPoint!, "--trace");
        await proxy.Bounded(async ct =>
        {
            using Socket client = await Clients.ConnectAsync(proxy.EndPoint, ct);
            using Socket served = await upstream.AcceptAsync(ct);
            served.Shutdown(SocketShutdown.Send);
            Assert.Empty(await Clients.ReceiveToEndAsync(client, ct)); // the client sees EOF once the proxy sent its FIN
        }, Bound, "an upstream half-close through a traced proxy");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!proxy.StandardOutput.Contains("sent FIN", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
        string trace = proxy.StandardOutput;
        System.Text.RegularExpressions.Match eof = System.Text.RegularExpressions.Regex.Match(trace, @"conn \d+ \(fd (\d+)\): EOF from peer");
        System.Text.RegularExpressions.Match fin = System.Text.RegularExpressions.Regex.Match(trace, @"conn \d+ \(fd (\d+)\): sent FIN");
        Assert.True(eof.Success && fin.Success, $"the trace lacks the EOF or the FIN line:\n{trace}");
        Assert.NotEqual(eof.Groups[1].Value, fin.Groups[1].Value); // read from the upstream's socket, sent on the client's
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task A_reset_on_either_side_resets_the_other(string backend, string trigger, string io)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        upstream.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        upstream.Listen();
        using EchoServer proxy = EchoServer.StartProxy((IPEndPoint)upstream.LocalEndPoint!, "--backend", backend, "--trigger", trigger, "--io", io);
        await proxy.Bounded(async ct =>
        {
            // The upstream resets: the client must see a reset, not an orderly EOF.
            Socket client = await Clients.ConnectAsync(proxy.EndPoint, ct);
            Socket served = await upstream.AcceptAsync(ct);
            await Clients.SendAllAsync(client, "x"u8.ToArray(), ct);
            await Clients.ReceiveExactlyAsync(served, 1, ct);
            Clients.Reset(served);
            var e = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[16], SocketFlags.None, ct));
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
            client.Dispose();

            // The client resets: the upstream must see it.
            client = await Clients.ConnectAsync(proxy.EndPoint, ct);
            served = await upstream.AcceptAsync(ct);
            await Clients.SendAllAsync(client, "y"u8.ToArray(), ct);
            await Clients.ReceiveExactlyAsync(served, 1, ct);
            Clients.Reset(client);
            e = await Assert.ThrowsAsync<SocketException>(async () => await served.ReceiveAsync(new byte[16], SocketFlags.None, ct));
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
            served.Dispose();
        }, Bound, $"resets through the proxy on {backend}/{io}/{trigger}");
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Resets_and_two_thousand_connect_close_cycles_leave_the_proxy_no_socket_open(string backend, string trigger, string io)
    {
        using EchoServer echo = EchoServer.Start();
        using EchoServer proxy = StartProxy(echo, backend, trigger, io);
        await ResourceTests.WarmUpAsync(proxy);
        int baseline = proxy.SettledSocketCount();
        await ResetAndChurnAsync(proxy, resets: 50, cycles: 500, $"resets and churn through the proxy on {backend}/{io}/{trigger}");

        // Sockets, not all descriptors: the runtime maps more of itself as the reset path warms up, and keeps it.
        int after = proxy.WaitForSocketCount(baseline, SettleBound);
        output.WriteLine($"{backend}/{io}/{trigger}: proxy sockets before {baseline}, after 50 resets and 2000 cycles {after}");
        Assert.True(after == baseline, $"the proxy had {baseline} sockets before and {after} after ({proxy.DescribeDescriptors()})");
        await ResourceTests.AssertStillEchoesAsync(proxy);
    }

    private static Task ResetAndChurnAsync(EchoServer proxy, int resets, int cycles, string what) => proxy.Bounded(async ct =>
        {
            await Task.WhenAll(Enumerable.Range(0, resets).Select(async i =>
            {
                Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
                await Clients.SendAllAsync(socket, Clients.Pattern(256 * 1024, i), ct);
                Clients.Reset(socket);
            }));
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
            {
                byte[] one = [(byte)worker];
                for (int i = 0; i < cycles; i++)
                {
                    using Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
                    if (i % 2 == 0)
                    {
                        Clients.AssertSame(one, await Clients.RoundTripAsync(socket, one, ct), $"cycle {i}");
                    }
                }
            }));
        }, Bound, what);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task Clients_that_send_and_never_read_keep_the_proxys_memory_flat(string backend, string trigger, string io)
    {
        const int ClientCount = 3;
        // Two hops of socket buffers (eight of them, each autotuned up to several MiB on loopback) hold tens of MiB
        // before any process must, so the clients try far more than that.
        const long Attempt = 256L << 20;
        const long Limit = 64L << 20;
        using EchoServer echo = EchoServer.Start();
        using EchoServer proxy = StartProxy(echo, backend, trigger, io);
        await ResourceTests.WarmUpAsync(proxy);
        long baselineRss = proxy.ResidentBytes();
        var sockets = new List<Socket>();
        long[] sent = new long[ClientCount];
        try
        {
            await proxy.Bounded(async ct =>
            {
                for (int i = 0; i < ClientCount; i++)
                {
                    sockets.Add(await Clients.ConnectAsync(proxy.EndPoint, ct));
                }
                await Clients.SendUntilStalledAsync(sockets, sent, Attempt, ct); // a stall means back-pressure crossed both hops
            }, Bound, $"non-reading clients through the proxy on {backend}/{io}/{trigger}");
            long growth = proxy.ResidentBytes() - baselineRss;
            output.WriteLine($"{backend}/{io}/{trigger}: clients sent {string.Join(", ", sent.Select(s => $"{s >> 20} MiB"))} before stalling; proxy RSS grew {growth >> 20} MiB");
            Assert.True(growth < Limit, $"the proxy's RSS grew by {growth >> 20} MiB (limit {Limit >> 20} MiB) under non-reading clients");
            Assert.True(sent.All(s => s < Attempt), $"back-pressure should have stopped every client, but they sent {string.Join(", ", sent)} bytes");
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
        await ResourceTests.AssertStillEchoesAsync(proxy);
    }

    [Theory]
    [MemberData(nameof(Combos.Transports), MemberType = typeof(Combos))]
    public async Task An_upstream_that_refuses_or_never_answers_closes_the_client_with_a_logged_reason(string backend)
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port; // bound, never listening: connects are refused
            using EchoServer refusing = EchoServer.StartProxy(new IPEndPoint(IPAddress.Loopback, closedPort), "--backend", backend);
            await AssertClosedAsync(refusing, "refused");
            WaitForLine(refusing, "no upstream (Refused)");
        }

        // A listener whose accept queue is full: the kernel drops the proxy's SYN, so the connect times out.
        using var full = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        full.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    filler.Connect(full.LocalEndPoint!);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
                {
                }
                fillers.Add(filler);
            }
            using EchoServer silent = EchoServer.StartProxy((IPEndPoint)full.LocalEndPoint!, "--backend", backend, "--connect-timeout", "0.5");
            await AssertClosedAsync(silent, "timed out");
            WaitForLine(silent, "no upstream (TimedOut)");
        }
        finally
        {
            foreach (Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Combos.Transports), MemberType = typeof(Combos))]
    public async Task SIGINT_drains_both_directions_and_exits_0(string backend)
    {
        using EchoServer echo = EchoServer.Start();
        using EchoServer proxy = StartProxy(echo, backend, "level", backend == "uring" ? "completion" : "readiness");
        await proxy.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
            byte[] payload = Clients.Pattern(100_000, 5);
            Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), "before SIGINT");
            proxy.Signal("INT");
            Assert.True(await Clients.IsClosedByServerAsync(socket, ct), "the proxy should close its clients when it stops");
        }, Bound, "a SIGINT drain");
        Assert.Equal(0, proxy.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("iomux proxy: stopped; ", proxy.StandardOutput, StringComparison.Ordinal);
    }

    private static EchoServer StartProxy(EchoServer echo, string backend, string trigger, string io) =>
        EchoServer.StartProxy(echo.EndPoint, "--backend", backend, "--trigger", trigger, "--io", io);

    private static Task AssertClosedAsync(EchoServer proxy, string what) => proxy.Bounded(async ct =>
    {
        using Socket socket = await Clients.ConnectAsync(proxy.EndPoint, ct);
        await Clients.SendAllAsync(socket, "hello"u8.ToArray(), ct);
        Assert.True(await Clients.IsClosedByServerAsync(socket, ct), $"the client of an upstream that {what} should be closed");
    }, Bound, $"a client whose upstream {what}");

    private static void WaitForLine(EchoServer proxy, string text)
    {
        Assert.True(SpinWait.SpinUntil(() => proxy.StandardError.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            $"the proxy never logged '{text}'; stderr: {proxy.StandardError}");
    }
}
