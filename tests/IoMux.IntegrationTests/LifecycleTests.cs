using System.Net;
using System.Net.Sockets;
using IoMux.Tests.Transport;
using Xunit.Abstractions;

namespace IoMux.IntegrationTests;

/// <summary>Signals, limits and timeouts: how the server starts, sheds and stops.</summary>
public sealed class LifecycleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task SIGINT_stops_the_server_which_closes_its_connections_and_exits_0(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io);
        await server.Bounded(async ct =>
        {
            using Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
            byte[] payload = Clients.Pattern(10_000, 3);
            Clients.AssertSame(payload, await Clients.RoundTripAsync(socket, payload, ct), "before SIGINT");
            server.Signal("INT");
            Assert.True(await Clients.IsClosedByServerAsync(socket, ct), "the connection should be closed by the stopping server");
        }, Bound, $"SIGINT on {backend}/{io}/{trigger}");
        Assert.Equal(0, server.WaitForExit(ExitBound));
        Assert.Contains("stopping", server.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Combos.All), MemberType = typeof(Combos))]
    public async Task On_SIGINT_replies_already_queued_for_a_slow_reader_are_delivered_before_a_clean_EOF(string backend, string trigger, string io)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--trigger", trigger, "--io", io, "--write-limit", "262144");
        using Socket socket = await Clients.ConnectAsync(server.EndPoint, CancellationToken.None);
        byte[] payload = Clients.Pattern(16 << 20, 16);
        // Send without reading, and signal only once the server itself holds replies (bytes it read and could not
        // write back) and nothing moves any more, however long that takes here. Once its queue passed the 256 KiB
        // write limit it holds more than the low watermark (a quarter of it) until the client reads, but not
        // necessarily the whole limit: the kernel's growing socket buffers may take part of the queue before they
        // stop growing. Only when nothing moves is a reading of both sockets' queues exact: while bytes flow, one
        // socket's line can be read before they left it and the other's after they arrived.
        const int LowWatermark = 262144 / 4;
        var flood = new Flood(socket, payload, chunk: 1024);
        (long Read, long Held) seen = default;
        Assert.True(SpinWait.SpinUntil(() =>
            {
                (long Read, long Held) before = seen;
                Thread.Sleep(20);
                seen = TcpQueues.ReadAndHeldByPeer(socket, flood.Sent);
                return seen == before && seen.Held > LowWatermark;
            }, Bound),
            $"the server never settled holding more than its 64 KiB low watermark of replies; it holds {seen.Held} bytes of the {flood.Sent} sent");
        server.Signal("INT");
        byte[] echoed = [];
        await server.Bounded(async ct => echoed = await Clients.ReceiveToEndAsync(socket, ct), Bound, $"reading the drained replies on {backend}/{io}/{trigger}");
        output.WriteLine($"{backend}/{io}/{trigger}: the server had read {seen.Read} bytes and held {seen.Held} when signalled; received {echoed.Length} bytes, then EOF");
        Assert.True(echoed.Length >= seen.Read, $"only {echoed.Length} bytes arrived; the server had read {seen.Read} (and held {seen.Held}) before SIGINT");
        Assert.True(payload.AsSpan(0, echoed.Length).SequenceEqual(echoed), "the drained replies are not what was sent");
        socket.Dispose();
        Assert.Equal(0, server.WaitForExit(ExitBound));
    }

    [Theory]
    [MemberData(nameof(Combos.Transports), MemberType = typeof(Combos))]
    public void SIGTERM_exits_0_too(string backend)
    {
        using EchoServer server = EchoServer.Start("--backend", backend);
        server.Signal("TERM");
        Assert.Equal(0, server.WaitForExit(ExitBound));
    }

    [Fact]
    public async Task On_select_a_connection_whose_descriptor_is_1024_or_more_is_closed_with_one_line_and_the_rest_are_served()
    {
        const int Count = 1100;
        using EchoServer server = EchoServer.Start("--backend", "select");
        int baseline = await ResourceTests.WarmUpAsync(server);
        var sockets = new Socket[Count];
        try
        {
            int served = 0, closed = 0;
            await server.Bounded(async ct =>
            {
                for (int i = 0; i < Count; i++)
                {
                    sockets[i] = await Clients.ConnectAsync(server.EndPoint, ct);
                }
                foreach (Socket socket in sockets)
                {
                    try
                    {
                        await socket.SendAsync(new byte[] { 7 }, SocketFlags.None, ct);
                        byte[] one = new byte[1];
                        if (await socket.ReceiveAsync(one, SocketFlags.None, ct) == 1 && one[0] == 7)
                        {
                            served++;
                            continue;
                        }
                    }
                    catch (SocketException)
                    {
                    }
                    closed++;
                }
            }, Bound, "1100 connections to the select backend");
            // The server logs before it closes, but its stderr reaches us through a pipe on another thread: give it a moment.
            int Logged() => server.ErrorLines.Count(l => l.Contains("too large for select(2)", StringComparison.Ordinal) && l.Contains("1024", StringComparison.Ordinal));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Logged() < closed && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
            int logged = Logged();
            output.WriteLine($"select: {served} served, {closed} closed at once, {logged} lines logged");
            Assert.True(closed > 0, "with 1100 connections some server descriptors must reach 1024");
            Assert.True(served > 900, $"only {served} of {Count} connections were served");
            Assert.Equal(closed, logged);
        }
        finally
        {
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }
        }
        // Until the server has closed the old sockets, a fresh client's descriptor there may still be 1024 or more.
        int settled = server.WaitForDescriptorCount(baseline, TimeSpan.FromSeconds(30));
        Assert.True(settled == baseline, $"the server had {baseline} descriptors before the 1100 connections and {settled} after they closed");
        await ResourceTests.AssertStillEchoesAsync(server);
    }

    [Theory]
    [MemberData(nameof(Combos.Transports), MemberType = typeof(Combos))]
    public async Task Connections_over_the_limit_are_accepted_and_closed_at_once_and_the_limit_frees_up(string backend)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--max-connections", "10");
        var sockets = new List<Socket>();
        try
        {
            await server.Bounded(async ct =>
            {
                for (int i = 0; i < 15; i++)
                {
                    Socket socket = await Clients.ConnectAsync(server.EndPoint, ct);
                    sockets.Add(socket);
                    // One at a time, so the server has accepted this one before the next arrives.
                    byte[] one = [(byte)i];
                    bool echoed;
                    try
                    {
                        await socket.SendAsync(one, SocketFlags.None, ct);
                        echoed = await socket.ReceiveAsync(new byte[1], SocketFlags.None, ct) == 1;
                    }
                    catch (SocketException)
                    {
                        echoed = false;
                    }
                    Assert.True(echoed == (i < 10), $"connection {i} was {(echoed ? "served" : "closed")} with a limit of 10");
                }
                sockets[0].Dispose();
                bool admitted = false;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!admitted && clock.Elapsed < TimeSpan.FromSeconds(20))
                {
                    using Socket late = await Clients.ConnectAsync(server.EndPoint, ct);
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    attempt.CancelAfter(TimeSpan.FromSeconds(1));
                    try
                    {
                        await late.SendAsync(new byte[] { 1 }, SocketFlags.None, ct);
                        admitted = await late.ReceiveAsync(new byte[1], SocketFlags.None, attempt.Token) == 1;
                    }
                    catch (SocketException)
                    {
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                    }
                    if (!admitted)
                    {
                        await Task.Delay(100, ct);
                    }
                }
                Assert.True(admitted, "closing one of 10 connections never freed a slot for a new one");
            }, Bound, "the connection limit");
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Combos.Transports), MemberType = typeof(Combos))]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_while_a_busy_one_stays(string backend)
    {
        using EchoServer server = EchoServer.Start("--backend", backend, "--idle-timeout", "2");
        await server.Bounded(async ct =>
        {
            using Socket quiet = await Clients.ConnectAsync(server.EndPoint, ct);
            using Socket busy = await Clients.ConnectAsync(server.EndPoint, ct);
            Task<bool> quietClosed = Clients.IsClosedByServerAsync(quiet, ct);
            int rounds = 0;
            while (!quietClosed.IsCompleted)
            {
                byte[] one = [(byte)rounds++];
                Clients.AssertSame(one, await Clients.RoundTripAsync(busy, one, ct), "the busy connection");
                await Task.Delay(100, ct);
            }
            Assert.True(await quietClosed, "the idle connection should be closed by the server");
            Clients.AssertSame("still here"u8.ToArray(), await Clients.RoundTripAsync(busy, "still here"u8.ToArray(), ct), "the busy connection after the idle one closed");
        }, Bound, "the idle timeout");
    }
}
