using System.Net.Sockets;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>Peer close, shutdown and reset: EOF, ReadHangup, Hangup and Error.</summary>
public sealed class HangupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_closed_socketpair_peer_makes_the_other_end_readable_at_end_of_file(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);

        pair.B.Dispose();

        // Closing an AF_UNIX stream peer shuts both directions of this end: poll-style backends add Hangup.
        Readiness expected = Readiness.Read | (Backends.ReportsHangupAndError(backend) ? Readiness.Hangup : Readiness.None);
        Assert.Equal([(pair.A.Fd, expected)], Ready.Now(selector));
        Ready.AgainAsTheTriggerSays(selector, trigger, [(pair.A.Fd, expected)]);
        Assert.Equal(0, Io.Drain(pair.A)); // EOF
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_closed_socketpair_peer_reports_ReadHangup_when_it_is_asked_for(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read | Interest.ReadHangup, trigger: trigger);

        pair.B.Dispose();

        Readiness expected = Readiness.Read | Readiness.ReadHangup |
            (Backends.ReportsHangupAndError(backend) ? Readiness.Hangup : Readiness.None);
        Assert.Equal([(pair.A.Fd, expected)], Ready.Now(selector));
        Ready.AgainAsTheTriggerSays(selector, trigger, [(pair.A.Fd, expected)]);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void ReadHangup_is_not_reported_while_the_peer_is_open_even_with_data_pending(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read | Interest.ReadHangup, trigger: trigger);
        Io.Write(pair.B);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Ready.AgainAsTheTriggerSays(selector, trigger, [(pair.A.Fd, Readiness.Read)]);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_tcp_peer_shutting_down_its_writing_side_gives_ReadHangup_but_not_Hangup(SelectorBackend backend, Trigger trigger)
    {
        using var tcp = new TcpPair();
        using Selector selector = Selector.Create(backend);
        selector.Register(tcp.Client, Interest.Read | Interest.ReadHangup, trigger: trigger);

        tcp.Server.Shutdown(SocketShutdown.Send); // FIN: half-close, this end may still write

        Assert.Equal(Readiness.Read | Readiness.ReadHangup, Ready.Until(selector, (int)tcp.Client.Handle, Patience));
        Assert.Equal(0, tcp.Client.Receive(new byte[8]));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_reset_tcp_peer_is_reported_as_Error_and_Hangup_where_the_backend_can_say_so(SelectorBackend backend, Trigger trigger)
    {
        using var tcp = new TcpPair();
        using Selector selector = Selector.Create(backend);
        selector.Register(tcp.Client, Interest.Read | Interest.ReadHangup, trigger: trigger);

        tcp.ResetServer();

        Readiness readiness = Ready.Until(selector, (int)tcp.Client.Handle, Patience);
        if (Backends.ReportsHangupAndError(backend))
        {
            Assert.Equal(Readiness.Read | Readiness.ReadHangup | Readiness.Hangup | Readiness.Error, readiness);
        }
        else
        {
            Assert.True(readiness.HasFlag(Readiness.Read), $"select reports a reset as readability, got {readiness}");
            Assert.False(readiness.HasFlag(Readiness.Hangup) || readiness.HasFlag(Readiness.Error), $"select has no hang-up or error bit, got {readiness}");
        }
        // Whatever the backend reported, the reset itself is not lost: the next read fails with ECONNRESET.
        SocketException reset = Assert.Throws<SocketException>(() => tcp.Client.Receive(new byte[8]));
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_reset_tcp_peer_is_reported_even_to_a_registration_that_asked_only_for_Write(SelectorBackend backend, Trigger trigger)
    {
        using var tcp = new TcpPair();
        using Selector selector = Selector.Create(backend);
        int fd = (int)tcp.Client.Handle;
        selector.Register(tcp.Client, Interest.Write, trigger: trigger);
        Assert.Equal(Readiness.Write, Ready.Until(selector, fd, Patience));

        tcp.ResetServer();

        // A reset shuts the sending side too: the socket stays "writable" (a write fails at once),
        // and poll-style backends add Hangup and Error whether or not they were asked for. Edge reports the
        // reset as a new event; one-shot reports it once re-armed.
        Readiness expected = Readiness.Write |
            (Backends.ReportsHangupAndError(backend) ? Readiness.Hangup | Readiness.Error : Readiness.None);
        Readiness readiness = Readiness.None;
        DateTime deadline = DateTime.UtcNow + Patience;
        while (readiness != expected && DateTime.UtcNow < deadline)
        {
            Rearm.IfOneShot(selector, fd, trigger);
            readiness = Ready.Until(selector, fd, Patience);
        }
        Assert.Equal(expected, readiness);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_pipe_whose_writer_closed_reports_hangup_or_readability_as_the_backend_documents(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pipe = new PipeEnds();
        selector.Register(pipe.Read, Interest.Read, trigger: trigger);

        pipe.Write.Dispose();

        // An empty pipe with no writer is POLLHUP without POLLIN; select folds POLLHUP into readability.
        Readiness expected = Backends.ReportsHangupAndError(backend) ? Readiness.Hangup : Readiness.Read;
        Assert.Equal([(pipe.Read.Fd, expected)], Ready.Now(selector));
        Ready.AgainAsTheTriggerSays(selector, trigger, [(pipe.Read.Fd, expected)]);
        Assert.Equal(0, Io.Drain(pipe.Read));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_pipe_whose_reader_closed_reports_its_writer_with_an_error(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pipe = new PipeEnds();
        selector.Register(pipe.Write, Interest.Write, trigger: trigger);

        pipe.Read.Dispose();

        // No reader: a write would fail with EPIPE. poll-style backends say POLLERR (with POLLOUT); select says writable.
        Readiness expected = Readiness.Write | (Backends.ReportsHangupAndError(backend) ? Readiness.Error : Readiness.None);
        Assert.Equal([(pipe.Write.Fd, expected)], Ready.Now(selector));
        Ready.AgainAsTheTriggerSays(selector, trigger, [(pipe.Write.Fd, expected)]);
    }
}
