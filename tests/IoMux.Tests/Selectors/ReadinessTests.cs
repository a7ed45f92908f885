using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>What a wait reports for sockets and pipes in their basic states (CPython test_select, test_poll1).</summary>
public sealed class ReadinessTests
{
    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Fresh_socketpair_reports_only_the_writer_ready(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read);
        selector.Register(pair.B, Interest.Write);

        Assert.Equal([(pair.B.Fd, Readiness.Write)], Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Data_written_to_one_end_makes_the_other_end_readable(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read);
        Assert.Empty(Ready.Now(selector));

        Io.Write(pair.B, 5);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Equal(5, Io.Drain(pair.A));
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Read_and_write_interest_with_data_pending_are_reported_together_in_one_event(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        Io.Write(pair.B);
        selector.Register(pair.A, Interest.Read | Interest.Write, trigger: trigger);

        Assert.Equal([(pair.A.Fd, Readiness.Read | Readiness.Write)], Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_pipe_reports_its_write_end_writable_and_its_read_end_readable_only_after_a_write(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pipe = new PipeEnds();
        selector.Register(pipe.Read, Interest.Read);
        selector.Register(pipe.Write, Interest.Write);
        Assert.Equal([(pipe.Write.Fd, Readiness.Write)], Ready.Now(selector));

        Io.Write(pipe.Write, 3);

        var expected = new List<(int, Readiness)> { (pipe.Read.Fd, Readiness.Read), (pipe.Write.Fd, Readiness.Write) };
        expected.Sort();
        Assert.Equal(expected, Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void An_event_carries_the_registration_and_its_state(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        object state = new();
        SelectorKey key = selector.Register(pair.B, Interest.Write, state);

        var buffer = new SelectorEvent[4];
        var seen = new List<SelectorEvent>();
        foreach (SelectorEvent e in selector.Wait(buffer, TimeSpan.Zero))
        {
            seen.Add(e);
        }

        SelectorEvent only = Assert.Single(seen);
        Assert.Same(key, only.Key);
        Assert.Same(state, only.State);
        Assert.Equal(pair.B.Fd, only.Fd);
        Assert.True(selector.TryGetKey(pair.B.Fd, out SelectorKey? found));
        Assert.Same(key, found);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_tcp_socket_registered_as_a_Socket_reports_data_from_its_peer(SelectorBackend backend)
    {
        using var tcp = new TcpPair();
        using Selector selector = Selector.Create(backend);
        selector.Register(tcp.Client, Interest.Read);
        Assert.Empty(Ready.Now(selector));

        tcp.Server.Send("hi"u8);

        // Loopback TCP delivers in softirq context: wait rather than poll once.
        Assert.Equal(Readiness.Read, Ready.Until(selector, (int)tcp.Client.Handle, TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Twelve_socketpairs_exchange_one_message_each_and_only_the_written_reader_becomes_ready(SelectorBackend backend)
    {
        // CPython test_selectors.test_selector: pick a ready writer, send, exactly its reader becomes ready.
        using Selector selector = Selector.Create(backend);
        var pairs = Enumerable.Range(0, 12).Select(_ => new SocketPairEnds()).ToList();
        try
        {
            foreach (SocketPairEnds pair in pairs)
            {
                selector.Register(pair.A, Interest.Read, pair);
                selector.Register(pair.B, Interest.Write, pair);
            }
            var random = new Random(12);
            var remaining = new List<SocketPairEnds>(pairs);
            while (remaining.Count > 0)
            {
                var writers = Ready.Now(selector).Where(e => e.Readiness == Readiness.Write).Select(e => e.Fd).ToList();
                Assert.Equal(remaining.Select(p => p.B.Fd).Order(), writers);
                SocketPairEnds chosen = remaining[random.Next(remaining.Count)];
                Io.Write(chosen.B, 16);

                var readers = Ready.Now(selector).Where(e => e.Readiness == Readiness.Read).Select(e => e.Fd).ToList();
                Assert.Equal([chosen.A.Fd], readers);
                Assert.Equal(16, Io.Drain(chosen.A));
                selector.Unregister(chosen.A.Fd);
                selector.Unregister(chosen.B.Fd);
                remaining.Remove(chosen);
            }
            Assert.Empty(selector.Registrations);
        }
        finally
        {
            pairs.ForEach(p => p.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void An_empty_selector_polled_with_a_zero_timeout_reports_nothing(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        Assert.Empty(Ready.Wait(selector, TimeSpan.Zero));
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Priority_interest_reports_out_of_band_data_on_a_tcp_socket(SelectorBackend backend)
    {
        using var tcp = new TcpPair();
        using Selector selector = Selector.Create(backend);
        selector.Register(tcp.Client, Interest.Priority);
        Assert.Empty(Ready.Now(selector));

        tcp.Server.Send("!"u8, System.Net.Sockets.SocketFlags.OutOfBand);

        Assert.Equal(Readiness.Priority, Ready.Until(selector, (int)tcp.Client.Handle, TimeSpan.FromSeconds(10)));
    }
}
