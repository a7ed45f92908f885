using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// The generation guard: one wait's batch is handled in order, and an earlier handler may unregister,
/// replace or narrow a later event's registration. Nothing stale may be delivered, whether the batch is
/// enumerated (<see cref="ReadyEvents"/>) or handed to the handlers by the loop's turn (<c>WaitAndDispatch</c>,
/// which epoll does as it reads the kernel's buffer).
/// </summary>
public sealed class StaleEventTests
{
    public enum Delivery
    {
        Enumerated,
        Dispatched,
    }

    public static TheoryData<SelectorBackend, Trigger, Delivery> Cases
    {
        get
        {
            var data = new TheoryData<SelectorBackend, Trigger, Delivery>();
            foreach (object[] row in Backends.AllTriggers)
            {
                foreach (Delivery delivery in Enum.GetValues<Delivery>())
                {
                    data.Add((SelectorBackend)row[0], (Trigger)row[1], delivery);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_event_whose_registration_an_earlier_handler_unregistered_is_not_delivered(SelectorBackend backend, Trigger trigger, Delivery delivery)
    {
        using Selector selector = Selector.Create(backend);
        using var first = new SocketPairEnds();
        using var second = new SocketPairEnds();
        var batch = new Batch(selector, delivery);
        batch.Register(first.B.Fd, Interest.Write, "first", trigger);
        batch.Register(second.B.Fd, Interest.Write, "second", trigger);

        var delivered = new List<int>();
        int reported = batch.Deliver((probe, _) =>
        {
            delivered.Add(probe.Fd);
            selector.Unregister(probe.Fd == first.B.Fd ? second.B.Fd : first.B.Fd);
        });

        Assert.Equal(2, reported);
        Assert.Single(delivered);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_event_whose_descriptor_an_earlier_handler_unregistered_and_registered_again_is_not_delivered(SelectorBackend backend, Trigger trigger, Delivery delivery)
    {
        using Selector selector = Selector.Create(backend);
        using var first = new SocketPairEnds();
        using var second = new SocketPairEnds();
        var batch = new Batch(selector, delivery);
        batch.Register(first.B.Fd, Interest.Write, "old", trigger);
        batch.Register(second.B.Fd, Interest.Write, "old", trigger);

        var delivered = new List<(int Fd, string Label)>();
        SelectorKey? replacement = null;
        batch.Deliver((probe, _) =>
        {
            delivered.Add((probe.Fd, probe.Label));
            if (replacement is null)
            {
                int other = probe.Fd == first.B.Fd ? second.B.Fd : first.B.Fd;
                selector.Unregister(other);
                replacement = batch.Register(other, Interest.Write, "new", trigger);
            }
        });

        // Only the first event; the second belonged to the old registration of a number now registered anew.
        Assert.Single(delivered);
        Assert.Equal("old", delivered[0].Label);
        // The new registration reports normally from the next wait on.
        Assert.Contains((replacement!.Fd, Readiness.Write), Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_event_is_masked_to_the_interest_an_earlier_handler_narrowed_it_to(SelectorBackend backend, Trigger trigger, Delivery delivery)
    {
        using Selector selector = Selector.Create(backend);
        using var first = new SocketPairEnds();
        using var second = new SocketPairEnds();
        Io.Write(first.A);
        Io.Write(second.A);
        var batch = new Batch(selector, delivery);
        batch.Register(first.B.Fd, Interest.Read | Interest.Write, "first", trigger);
        batch.Register(second.B.Fd, Interest.Read | Interest.Write, "second", trigger);

        var delivered = new List<Readiness>();
        batch.Deliver((probe, readiness) =>
        {
            if (delivered.Count == 0)
            {
                selector.Modify(probe.Fd == first.B.Fd ? second.B.Fd : first.B.Fd, Interest.Write);
            }
            delivered.Add(readiness);
        });

        Assert.Equal([Readiness.Read | Readiness.Write, Readiness.Write], delivered);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Events_of_a_disposed_selector_are_not_delivered(SelectorBackend backend, Trigger trigger, Delivery delivery)
    {
        using var pair = new SocketPairEnds();
        Selector selector = Selector.Create(backend);
        var batch = new Batch(selector, delivery);
        batch.Register(pair.A.Fd, Interest.Write, "a", trigger);
        batch.Register(pair.B.Fd, Interest.Write, "b", trigger);

        var delivered = new List<int>();
        batch.Deliver((probe, _) =>
        {
            delivered.Add(probe.Fd);
            selector.Dispose();
        });

        Assert.Single(delivered);
    }

    /// <summary>A registration's state: its handler, which reports to the batch's callback.</summary>
    public sealed class Probe(int fd, string label, Batch batch) : ILoopHandler
    {
        public int Fd { get; } = fd;

        public string Label { get; } = label;

        public void OnReady(Readiness readiness) => batch.Report(this, readiness);
    }

    /// <summary>One wait's events, delivered one way or the other to the same callback.</summary>
    public sealed class Batch(Selector selector, Delivery delivery)
    {
        private Action<Probe, Readiness>? _onEvent;

        public SelectorKey Register(int fd, Interest interest, string label, Trigger trigger) =>
            selector.Register(fd, interest, new Probe(fd, label, this), trigger);

        /// <summary>Waits once (without blocking) and delivers; returns how many events the kernel reported.</summary>
        public int Deliver(Action<Probe, Readiness> onEvent)
        {
            _onEvent = onEvent;
            if (delivery == Delivery.Dispatched)
            {
                return selector.WaitAndDispatch(new SelectorEvent[8], TimeSpan.Zero);
            }
            ReadyEvents ready = selector.Wait(new SelectorEvent[8], TimeSpan.Zero);
            foreach (SelectorEvent e in ready)
            {
                Report((Probe)e.State!, e.Readiness);
            }
            return ready.Count;
        }

        public void Report(Probe probe, Readiness readiness) => _onEvent!(probe, readiness);
    }
}
