using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>Thousands of registrations (CPython ScalableSelectorMixIn.test_above_fd_setsize). Runs alone: it uses most descriptor numbers.</summary>
[Collection(NonParallel.Name)]
public sealed class ScaleTests
{
    private const int Pairs = 2500;

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Thousands_of_registered_socketpair_ends_report_exactly_the_writers(SelectorBackend backend)
    {
        ulong limit = Descriptors.RaiseFdLimitToHard();
        Assert.True(limit >= (2 * Pairs) + 64, $"the hard RLIMIT_NOFILE ({limit}) is too low for {Pairs} socketpairs");
        using Selector selector = Selector.Create(backend);
        var pairs = new List<SocketPairEnds>();
        try
        {
            while (pairs.Count < Pairs)
            {
                var pair = new SocketPairEnds();
                // select(2) covers descriptors below FD_SETSIZE only: stop where its range ends.
                if (backend == SelectorBackend.Select && pair.B.Fd >= 1024)
                {
                    pair.Dispose();
                    break;
                }
                pairs.Add(pair);
                selector.Register(pair.A, Interest.Read);
                selector.Register(pair.B, Interest.Write);
            }
            Assert.True(pairs.Count >= (backend == SelectorBackend.Select ? 400 : Pairs), $"only {pairs.Count} pairs");

            var seen = Ready.Now(selector, capacity: 2 * pairs.Count);

            Assert.Equal(pairs.Select(p => (p.B.Fd, Readiness.Write)).OrderBy(e => e.Item1), seen);

            // And every reader, once written to, with the writers still ready.
            pairs.ForEach(p => Io.Write(p.B));
            var all = Ready.Now(selector, capacity: 2 * pairs.Count);
            Assert.Equal(2 * pairs.Count, all.Count);
            Assert.All(pairs, p => Assert.Contains((p.A.Fd, Readiness.Read), all));
        }
        finally
        {
            pairs.ForEach(p => p.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_small_event_buffer_still_reaches_every_ready_descriptor_over_successive_waits(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        var pairs = Enumerable.Range(0, 40).Select(_ => new SocketPairEnds()).ToList();
        try
        {
            pairs.ForEach(p => selector.Register(p.B, Interest.Write));
            var reached = new HashSet<int>();
            for (int i = 0; i < 40 && reached.Count < pairs.Count; i++)
            {
                foreach (var (fd, _) in Ready.Wait(selector, TimeSpan.Zero, capacity: 4))
                {
                    reached.Add(fd);
                }
            }
            Assert.Equal(pairs.Select(p => p.B.Fd).Order(), reached.Order());
        }
        finally
        {
            pairs.ForEach(p => p.Dispose());
        }
    }
}
