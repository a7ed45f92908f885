using IoMux.Native;

namespace IoMux.Tests.EventLoops;

/// <summary>
/// Disposing a loop, or its group, from the loop's own thread: the turn in progress keeps a live selector (on
/// io_uring, mapped ring memory), the loop then stops and closes it, every later call throws
/// <see cref="ObjectDisposedException"/>, and a group disposed from a loop thread never waits for itself.
/// </summary>
public sealed class LoopDisposeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static TheoryData<SelectorBackend, string> BackendsAndCallers
    {
        get
        {
            var data = new TheoryData<SelectorBackend, string>();
            foreach (SelectorBackend backend in Selectors.Backends.All)
            {
                foreach (string caller in new[] { "handler", "timer", "posted action" })
                {
                    data.Add(backend, caller);
                }
            }
            return data;
        }
    }

    public static TheoryData<SelectorBackend> Any => Selectors.Backends.Any;

    [Theory]
    [MemberData(nameof(BackendsAndCallers))]
    public void Dispose_on_the_loop_thread_finishes_the_turn_on_a_live_selector_then_stops_and_closes_it(SelectorBackend backend, string caller)
    {
        var loop = new EventLoop(backend);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (a)
        using (b)
        {
            var seen = new List<string>();
            bool postedBeforeRan = false;
            void DisposeFromInside()
            {
                loop.Post(() => postedBeforeRan = true);
                loop.Dispose();
                seen.Add(Outcome(() => loop.Post(() => { })));
                seen.Add(Outcome(() => loop.Schedule(TimeSpan.Zero, () => { })));
                // The selector outlives the turn: unregistering here touches the kernel (on io_uring, the ring).
                seen.Add(Outcome(() => loop.Selector.Unregister(a.Fd)));
                loop.Dispose();
            }
            var handler = new OnceHandler(DisposeFromInside);
            loop.Register(a, Interest.Read, handler);
            switch (caller)
            {
                case "handler":
                    Descriptors.WriteOrThrow(b.Fd, "x"u8);
                    break;
                case "timer":
                    loop.Schedule(TimeSpan.Zero, DisposeFromInside);
                    break;
                default:
                    loop.Post(DisposeFromInside);
                    break;
            }

            Exception? escaped = RunOnThread(loop);

            Assert.Null(escaped);
            Assert.Equal(["ObjectDisposedException", "ObjectDisposedException", "ok"], seen);
            Assert.True(postedBeforeRan, "an action posted before the dispose did not run");
            Assert.False(loop.IsRunning);
            Assert.Throws<ObjectDisposedException>(() => loop.Selector.Wait(new SelectorEvent[4], TimeSpan.Zero));
            Assert.Throws<ObjectDisposedException>(loop.Run);
            Assert.Throws<ObjectDisposedException>(() => loop.Post(() => { }));
            loop.Stop();
            loop.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Any))]
    public void Disposing_the_group_from_a_faulted_handler_returns_and_stops_every_loop(SelectorBackend backend)
    {
        var group = new EventLoopGroup(2, backend);
        var boom = new InvalidOperationException("a handler failed");
        using var disposed = new ManualResetEventSlim();
        group.Faulted += (_, _) =>
        {
            group.Dispose();
            disposed.Set();
        };
        group.Start();
        group.Loops[0].Post(() => throw boom);

        Assert.True(disposed.Wait(Deadline), "EventLoopGroup.Dispose from a Faulted handler did not return (it waits for its own thread)");
        Assert.Same(boom, group.Fault);
        AssertStoppedAndClosed(group);
    }

    [Theory]
    [MemberData(nameof(Any))]
    public void Disposing_the_group_from_a_posted_action_returns_and_stops_every_loop(SelectorBackend backend)
    {
        var group = new EventLoopGroup(2, backend);
        using var disposed = new ManualResetEventSlim();
        group.Start();
        string afterDispose = "";
        group.Loops[1].Post(() =>
        {
            group.Dispose();
            afterDispose = Outcome(() => group.Loops[1].Selector.TryGetKey(0, out _)); // the turn's selector is still open
            disposed.Set();
        });

        Assert.True(disposed.Wait(Deadline), "EventLoopGroup.Dispose from a loop's posted action did not return (it waits for its own thread)");
        AssertStoppedAndClosed(group);
        Assert.Equal("ok", afterDispose);
        Assert.Null(group.Fault);
    }

    [Fact]
    public void Join_without_a_limit_waits_for_the_loops_to_end()
    {
        using var group = new EventLoopGroup(2);
        using var gate = new ManualResetEventSlim();
        group.Start();
        group.Loops[0].Post(gate.Wait);
        bool joined = false;
        var joiner = new Thread(() => joined = group.Join(Timeout.InfiniteTimeSpan)) { IsBackground = true };
        joiner.Start();

        // A correct Join cannot return while loop 0 is held at the gate; this only gives a wrong one time to show.
        bool returnedEarly = joiner.Join(TimeSpan.FromMilliseconds(200));
        group.Stop();
        gate.Set();
        Assert.False(returnedEarly, "Join(Timeout.InfiniteTimeSpan) returned while a loop was still running");
        Assert.True(joiner.Join(Deadline), "Join(Timeout.InfiniteTimeSpan) did not return after the loops stopped");
        Assert.True(joined);
        Assert.All(group.Loops, loop => Assert.False(loop.IsRunning));
    }

    private static void AssertStoppedAndClosed(EventLoopGroup group)
    {
        Assert.True(group.Join(Deadline), "a loop thread did not end after the group was disposed");
        foreach (EventLoop loop in group.Loops)
        {
            Assert.False(loop.IsRunning);
            Assert.Throws<ObjectDisposedException>(() => loop.Post(() => { }));
            Assert.Throws<ObjectDisposedException>(() => loop.Selector.Wait(new SelectorEvent[4], TimeSpan.Zero));
        }
        group.Dispose();
    }

    private static string Outcome(Action action)
    {
        try
        {
            action();
            return "ok";
        }
#pragma warning disable CA1031 // the outcome is what is being recorded
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e.GetType().Name;
        }
    }

    /// <summary>Runs the loop on a thread of its own, bounded; returns what escaped <see cref="EventLoop.Run"/>, if anything.</summary>
    private static Exception? RunOnThread(EventLoop loop)
    {
        Exception? escaped = null;
        var thread = new Thread(() =>
        {
            try
            {
                loop.Run();
            }
#pragma warning disable CA1031 // handed to the test thread to assert on
            catch (Exception e)
#pragma warning restore CA1031
            {
                escaped = e;
            }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Deadline), "the loop did not stop after it was disposed from its own thread");
        return escaped;
    }

    private sealed class OnceHandler(Action action) : ILoopHandler
    {
        private bool _ran;

        public void OnReady(Readiness readiness)
        {
            if (!_ran)
            {
                _ran = true;
                action();
            }
        }
    }
}
