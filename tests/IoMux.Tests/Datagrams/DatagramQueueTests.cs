using System.Net;
using System.Net.Sockets;
using IoMux.Datagrams;
using IoMux.Native;
using IoMux.Tests.Selectors;
using IoMux.Tests.Selectors.Support;
using IoMux.Tests.Transport;

namespace IoMux.Tests.Datagrams;

/// <summary>
/// The send side on every mode: a batch's replies leave in one sendmmsg, the bounded queue drops (and counts) what
/// would overflow it while its memory stays put, a connected endpoint hears of the ICMP error once its peer is gone,
/// and the steady state allocates nothing per datagram.
/// </summary>
public sealed class DatagramQueueTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void The_replies_to_datagrams_that_arrived_together_leave_in_one_send_call(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions { Trigger = trigger, IoModel = model }, start: false);
        using Socket client = DatagramLoop.Client();
        const int Count = 32;
        // Queued in the socket before the loop first looks: they are there for one batch.
        for (int i = 0; i < Count; i++)
        {
            client.SendTo(BitConverter.GetBytes(i), loop.Address);
        }
        loop.Start();
        byte[] buffer = new byte[16];
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(4, client.Receive(buffer));
            Assert.Equal(i, BitConverter.ToInt32(buffer));
        }
        DatagramLoop.WaitFor(() => loop.Endpoint.Counters.Sent == Count, "the endpoint did not count every reply sent");
        UdpEndpointCounters counters = loop.Endpoint.Counters;
        if (model == IoModel.Readiness)
        {
            Assert.Equal(1, counters.ReceiveCalls); // one recvmmsg
            Assert.Equal(1, counters.SendCalls);    // one sendmmsg
        }
        else
        {
            // Each datagram is its own completion, and the replies of all reaped in one wait leave together.
            Assert.True(counters.SendCalls < Count / 2, $"{Count} replies took {counters.SendCalls} send calls");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_busy_socket_is_read_no_more_than_its_budget_in_one_turn(SelectorBackend backend, Trigger trigger)
    {
        var turns = new TurnLog();
        var options = new UdpEndpointOptions { Trigger = trigger, BatchSize = 8, ReceiveBudgetPerTurn = 8, Trace = turns };
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), options, start: false, trace: turns);
        using Socket client = DatagramLoop.Client();
        const int Count = 64;
        for (int i = 0; i < Count; i++)
        {
            client.SendTo(BitConverter.GetBytes(i), loop.Address);
        }
        loop.Start();
        byte[] buffer = new byte[16];
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(4, client.Receive(buffer));
        }
        DatagramLoop.WaitFor(() => loop.Endpoint.Counters.Received == Count, "not every datagram was counted");
        // Between two waits (one turn) the endpoint took at most its budget, however many more were waiting. Edge keeps
        // its place by re-queuing itself, and a handler re-queued during a turn's dispatch runs once more in that turn,
        // after every other ready handler: at most twice the budget then.
        int[] perTurn = turns.DatagramsPerTurn();
        int bound = trigger == Trigger.Edge ? 16 : 8;
        Assert.Equal(Count, perTurn.Sum());
        Assert.True(perTurn.Max() <= bound, $"one turn read {perTurn.Max()} datagrams with a budget of 8 (turns: {string.Join(", ", perTurn)})");
        Assert.True(perTurn.Count(n => n > 0) >= Count / bound, $"64 datagrams were read in only {perTurn.Count(n => n > 0)} turns");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_handler_that_sends_more_than_the_queue_holds_to_a_peer_that_never_reads_has_the_excess_dropped_and_counted(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using Socket sink = DatagramLoop.Client(); // bound, never read
        var handler = new Amplifier(DatagramAddress.From((IPEndPoint)sink.LocalEndPoint!), fanOut: 200, size: 1000);
        var options = new UdpEndpointOptions { Trigger = trigger, IoModel = model, SendQueueCapacity = 64, SendQueueBytes = 65_507 };
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), handler, options);
        using Socket trigger1 = DatagramLoop.Client();
        const int Triggers = 200;

        void Rounds(int count)
        {
            for (int i = 0; i < count; i++)
            {
                long before = loop.Endpoint.Counters.Received;
                trigger1.SendTo(new byte[1], loop.Address);
                DatagramLoop.WaitFor(() => loop.Endpoint.Counters.Received > before, "the endpoint did not receive the trigger datagram");
            }
        }

        Rounds(Triggers / 2); // warm
        long bytes = Allocations.InACleanRound(() =>
        {
            long before = LoopAllocations.Read(loop.Loop);
            Rounds(10);
            return LoopAllocations.Read(loop.Loop) - before;
        });
        DatagramLoop.WaitFor(() => loop.OnLoop(() => loop.Endpoint.QueuedDatagrams) == 0, "the queue never drained");
        UdpEndpointCounters counters = loop.Endpoint.Counters;
        long asked = counters.Received * 200;
        Assert.Equal(asked, counters.Sent + counters.Dropped);
        // Every trigger alone asks for 200 sends inside its batch; the queue takes 64 (65 of 1000 bytes fit its bytes).
        Assert.True(counters.Dropped >= counters.Received * (200 - 65), $"{counters.Dropped} dropped of {asked}");
        Assert.InRange(handler.MostQueuedBytes, 1, options.SendQueueBytes);
        Assert.InRange(handler.MostQueued, 1, options.SendQueueCapacity);
        Assert.True(bytes == 0, $"rounds of 2000 sends, most dropped, allocated {bytes} bytes on the loop thread");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_connected_endpoint_is_told_connection_refused_once_its_peer_has_gone(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        IPEndPoint gone;
        using (Socket peer = DatagramLoop.Client())
        {
            gone = (IPEndPoint)peer.LocalEndPoint!;
        }
        var handler = new EchoDatagrams();
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), handler, new UdpEndpointOptions { Trigger = trigger, IoModel = model, Remote = gone });
        Assert.Equal(gone, loop.Endpoint.RemoteEndPoint);
        // The port is closed: the kernel answers the datagram with ICMP port unreachable, which a connected socket reports.
        loop.OnLoop(() => loop.Endpoint.Send("anyone?"u8));
        DatagramLoop.WaitFor(() => handler.Errors.Contains(Errno.ECONNREFUSED), $"no ECONNREFUSED was reported (errors: {string.Join(", ", handler.Errors)})");
        Assert.True(loop.Endpoint.Counters.Errors >= 1);
        Assert.False(loop.Endpoint.IsClosed, "an ICMP error closed the endpoint");
        // It serves on: a second datagram is sent (and refused again).
        int before = handler.Errors.Count;
        loop.OnLoop(() => loop.Endpoint.Send("still?"u8));
        DatagramLoop.WaitFor(() => handler.Errors.Count > before, "the second datagram's refusal was not reported");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Echoing_allocates_nothing_on_the_loop_thread_once_warm(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions { Trigger = trigger, IoModel = model });
        using Socket client = DatagramLoop.Client();
        byte[] datagram = new byte[512];
        byte[] echoed = new byte[1024];
        const int Window = 8;

        void RoundTrips(int count)
        {
            for (int i = 0; i < count; i += Window)
            {
                for (int w = 0; w < Window; w++)
                {
                    client.SendTo(datagram, loop.Address);
                }
                for (int w = 0; w < Window; w++)
                {
                    Assert.Equal(datagram.Length, client.Receive(echoed));
                }
            }
        }

        RoundTrips(2000);
        long bytes = Allocations.InACleanRound(() =>
        {
            long before = LoopAllocations.Read(loop.Loop);
            RoundTrips(2000);
            return LoopAllocations.Read(loop.Loop) - before;
        });
        Assert.True(bytes == 0, $"2000 datagrams echoed allocated {bytes} bytes on the loop thread");
    }

    /// <summary>The loop's waits and the endpoint's receive calls, in order, from the loop thread.</summary>
    private sealed class TurnLog : ILoopTrace, IDatagramTrace
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<int> _events = new(); // -1: a wait; n: a receive call of n datagrams

        public void Waiting(EventLoop eventLoop, TimeSpan timeout) => _events.Enqueue(-1);

        public void Ready(EventLoop eventLoop, ReadOnlySpan<SelectorEvent> events)
        {
        }

        public void ReceivedBatch(UdpEndpoint endpoint, int datagrams) => _events.Enqueue(datagrams);

        public void Received(UdpEndpoint endpoint, in DatagramAddress remote, int bytes, bool truncated)
        {
        }

        public void Sent(UdpEndpoint endpoint, int datagrams, int queued)
        {
        }

        public void Dropped(UdpEndpoint endpoint, in DatagramAddress remote, int bytes)
        {
        }

        public void Failed(UdpEndpoint endpoint, Errno errno)
        {
        }

        public int[] DatagramsPerTurn()
        {
            var turns = new List<int> { 0 };
            foreach (int e in _events)
            {
                if (e < 0)
                {
                    turns.Add(0);
                }
                else
                {
                    turns[^1] += e;
                }
            }
            return [.. turns];
        }
    }

    /// <summary>Answers each datagram with <c>fanOut</c> datagrams to a sink, noting how full the queue got.</summary>
    private sealed class Amplifier(DatagramAddress sink, int fanOut, int size) : IDatagramHandler
    {
        private readonly byte[] _payload = new byte[size];

        public int MostQueued { get; private set; }

        public int MostQueuedBytes { get; private set; }

        public void OnDatagram(UdpEndpoint endpoint, Datagram datagram)
        {
            for (int i = 0; i < fanOut; i++)
            {
                endpoint.SendTo(_payload, sink);
                MostQueued = Math.Max(MostQueued, endpoint.QueuedDatagrams);
                MostQueuedBytes = Math.Max(MostQueuedBytes, endpoint.QueuedBytes);
            }
        }

        public void OnError(UdpEndpoint endpoint, Errno errno)
        {
        }
    }
}
