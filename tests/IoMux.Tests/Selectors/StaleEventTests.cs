using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// The generation guard: one wait's batch is handled in order, and an earlier handler may unregister,
/// replace or narrow a later event's registration. The enumerator must never deliver what is stale.
/// </summary>
public sealed class StaleEventTests
{
    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void An_event_whose_registration_an_earlier_handler_unregistered_is_not_delivered(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var first = new SocketPairEnds();
        using var second = new SocketPairEnds();
        selector.Register(first.B, Interest.Write, trigger: trigger);
        selector.Register(second.B, Interest.Write, trigger: trigger);

        var delivered = new List<int>();
        ReadyEvents ready = selector.Wait(new SelectorEvent[8], TimeSpan.Zero);
        Assert.Equal(2, ready.Count);
        foreach (SelectorEvent e in ready)
        {
            delivered.Add(e.Fd);
            int other = e.Fd == first.B.Fd ? second.B.Fd : first.B.Fd;
            selector.Unregister(other);
        }

        Assert.Single(delivered);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void An_event_whose_descriptor_an_earlier_handler_unregistered_and_registered_again_is_not_delivered(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var first = new SocketPairEnds();
        using var second = new SocketPairEnds();
        selector.Register(first.B, Interest.Write, "old", trigger);
        selector.Register(second.B, Interest.Write, "old", trigger);

        var delivered = new List<(int Fd, object? State)>();
        SelectorKey? replacement = null;
        foreach (SelectorEvent e in selector.Wait(new SelectorEvent[8], TimeSpan.Zero))
        {
            delivered.Add((e.Fd, e.State));
            if (replacement is null)
            {
                int other = e.Fd == first.B.Fd ? second.B.Fd : first.B.Fd;
                selector.Unregister(other);
                replacement = selector.Register(other, Interest.Write, "new", trigger);
            }
        }

        // Only the first event; the second belonged to the old registration of a number now registered anew.
        Assert.Single(delivered);
        Assert.Equal("old", delivered[0].State);
        // The new registration reports normally from the next wait on.
        Assert.Contains((replacement!.Fd, Readiness.Write), Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void An_event_is_masked_to_the_interest_an_earlier_handler_narrowed_it_to(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var first = new SocketPairEnds();
        using var second = new SocketPairEnds();
        Io.Write(first.A);
        Io.Write(second.A);
        selector.Register(first.B, Interest.Read | Interest.Write, trigger: trigger);
        selector.Register(second.B, Interest.Read | Interest.Write, trigger: trigger);

        var delivered = new List<(int, Readiness)>();
        foreach (SelectorEvent e in selector.Wait(new SelectorEvent[8], TimeSpan.Zero))
        {
            if (delivered.Count == 0)
            {
                int other = e.Fd == first.B.Fd ? second.B.Fd : first.B.Fd;
                selector.Modify(other, Interest.Write);
            }
            delivered.Add((e.Fd, e.Readiness));
        }

        Assert.Equal(2, delivered.Count);
        Assert.Equal(Readiness.Read | Readiness.Write, delivered[0].Item2);
        Assert.Equal(Readiness.Write, delivered[1].Item2);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Events_of_a_disposed_selector_are_not_delivered(SelectorBackend backend, Trigger trigger)
    {
        using var pair = new SocketPairEnds();
        Selector selector = Selector.Create(backend);
        selector.Register(pair.A, Interest.Write, trigger: trigger);
        selector.Register(pair.B, Interest.Write, trigger: trigger);

        var delivered = new List<int>();
        foreach (SelectorEvent e in selector.Wait(new SelectorEvent[8], TimeSpan.Zero))
        {
            delivered.Add(e.Fd);
            selector.Dispose();
        }

        Assert.Single(delivered);
    }
}
