using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>Steady state allocates nothing: a wait that reports events, and enumerating them, costs zero bytes.</summary>
public sealed class AllocationTests
{
    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Waiting_and_enumerating_ready_events_allocates_nothing_in_steady_state(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        var pairs = Enumerable.Range(0, 8).Select(_ => new SocketPairEnds()).ToList();
        try
        {
            foreach (SocketPairEnds pair in pairs)
            {
                Io.Write(pair.B);
                selector.Register(pair.A, Interest.Read | Interest.ReadHangup, pair, trigger);
                selector.Register(pair.B, Interest.Write, pair, trigger);
            }
            var buffer = new SelectorEvent[64];

            Spin(selector, buffer, trigger, 2_000); // warm-up: JIT tiers, lazy buffers

            long events = 0;
            long bytes = Allocations.InACleanRound(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                events = Spin(selector, buffer, trigger, 5_000);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            });

            Assert.True(events >= 5_000, $"only {events} events were reported");
            Assert.True(bytes == 0, $"5,000 waits allocated {bytes} bytes");
        }
        finally
        {
            pairs.ForEach(p => p.Dispose());
        }
    }

    private static long Spin(Selector selector, SelectorEvent[] buffer, Trigger trigger, int waits)
    {
        long events = 0;
        for (int i = 0; i < waits; i++)
        {
            foreach (SelectorEvent e in selector.Wait(buffer, TimeSpan.Zero))
            {
                events++;
                if (trigger != Trigger.Level)
                {
                    // Edge: nothing new would be reported; one-shot: disarmed. Re-arm by switching the
                    // interest away and back, which makes each wait report again (two real Modify calls).
                    Interest interest = e.Key.Interest;
                    selector.Modify(e.Fd, interest == Interest.Write ? Interest.Read : Interest.Write);
                    selector.Modify(e.Fd, interest);
                }
            }
        }
        return events;
    }
}
