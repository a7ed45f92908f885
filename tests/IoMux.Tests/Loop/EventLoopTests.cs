using IoMux.Native;

namespace IoMux.Tests.EventLoops;

public sealed class EventLoopTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [MemberData(nameof(Selectors.Backends.Any), MemberType = typeof(Selectors.Backends))]
    public void Post_from_another_thread_wakes_a_loop_blocked_without_timeout(SelectorBackend backend)
    {
        using var loop = new EventLoop(backend);
        var thread = new Thread(loop.Run);
        thread.Start();
        SpinWait.SpinUntil(() => loop.IsRunning, Bound);
        Thread.Sleep(20); // let it block in an infinite wait
        int ranOn = 0;
        using var ran = new ManualResetEventSlim();
        loop.Post(() =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            ran.Set();
        });
        Assert.True(ran.Wait(Bound), "the posted action did not run");
        Assert.Equal(thread.ManagedThreadId, ranOn);
        loop.Post(loop.Stop);
        Assert.True(thread.Join(Bound), "the loop did not stop");
    }

    [Theory]
    [MemberData(nameof(Selectors.Backends.Any), MemberType = typeof(Selectors.Backends))]
    public void Events_reach_the_registered_handler_and_requeue_runs_it_again_without_the_kernel(SelectorBackend backend)
    {
        using var loop = new EventLoop(backend);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (a)
        using (b)
        {
            var seen = new List<Readiness>();
            var handler = new RecordingHandler(loop, seen);
            loop.Register(a, Interest.Read, handler);
            Descriptors.WriteOrThrow(b.Fd, "x"u8);
            TimerTests.RunBounded(loop);
            // The kernel's report, then the re-queued one (marked Priority to tell them apart).
            Assert.Equal([Readiness.Read, Readiness.Priority], seen);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors.Backends.Any), MemberType = typeof(Selectors.Backends))]
    public void Events_follow_the_keys_state_when_it_is_replaced_and_a_state_that_is_no_handler_gets_none(SelectorBackend backend)
    {
        using var loop = new EventLoop(backend);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (a)
        using (b)
        {
            var first = new CountingHandler();
            var second = new CountingHandler();
            SelectorKey key = loop.Register(a, Interest.Read, first);
            Descriptors.WriteOrThrow(b.Fd, "x"u8); // never read: level-triggered, every turn reports it at once
            // Bounds each turn's wait, so a backend that stopped reporting fails the test instead of hanging it.
            loop.Schedule(Bound, () => throw new TimeoutException("the readable socket was not reported within the bound"));

            loop.RunOnce();
            key.State = second;
            loop.RunOnce();
            key.State = "not a handler";
            loop.RunOnce();
            Assert.Equal((1, 1), (first.Calls, second.Calls));

            key.State = first;
            loop.RunOnce();
            Assert.Equal((2, 1), (first.Calls, second.Calls));
        }
    }

    [Fact]
    public void Stop_before_run_makes_run_return_and_posted_actions_still_run()
    {
        using var loop = new EventLoop();
        bool ran = false;
        loop.Post(() => ran = true);
        loop.Stop();
        TimerTests.RunBounded(loop);
        Assert.True(ran);
        Assert.False(loop.IsRunning);
    }

    [Theory]
    [MemberData(nameof(Selectors.Backends.Any), MemberType = typeof(Selectors.Backends))]
    public void Actions_posted_behind_one_that_throws_run_when_the_loop_runs_again(SelectorBackend backend)
    {
        using var loop = new EventLoop(backend);
        var boom = new InvalidOperationException("boom");
        var ran = new List<int>();
        loop.Post(() => ran.Add(1));
        loop.Post(() => throw boom);
        loop.Post(() => ran.Add(3));
        loop.Post(() => ran.Add(4));
        Exception? thrown = null;
        var first = new Thread(() => thrown = Record.Exception(loop.Run));
        first.Start();
        Assert.True(first.Join(TimerTests.Bound), "the loop did not end with the action's exception");
        Assert.Same(boom, thrown);
        Assert.Equal([1], ran);
        loop.Post(loop.Stop);
        TimerTests.RunBounded(loop);
        Assert.Equal([1, 3, 4], ran);
    }

    [Fact]
    public void A_group_runs_each_loop_on_its_own_thread_and_stops_cleanly()
    {
        using var group = new EventLoopGroup(3);
        group.Start();
        var threads = new int[3];
        using var countdown = new CountdownEvent(3);
        for (int i = 0; i < 3; i++)
        {
            int index = i;
            group.Loops[i].Post(() =>
            {
                threads[index] = Environment.CurrentManagedThreadId;
                countdown.Signal();
            });
        }
        Assert.True(countdown.Wait(Bound), "not every loop ran its posted action");
        Assert.Equal(3, threads.Distinct().Count());
        group.Stop();
        Assert.True(group.Join(Bound), "the group did not stop");
        Assert.Null(group.Fault);
    }

    private sealed class CountingHandler : ILoopHandler
    {
        public int Calls { get; private set; }

        public void OnReady(Readiness readiness) => Calls++;
    }

    private sealed class RecordingHandler(EventLoop loop, List<Readiness> seen) : ILoopHandler
    {
        public void OnReady(Readiness readiness)
        {
            seen.Add(readiness);
            if (readiness == Readiness.Read)
            {
                loop.Selector.Unregister(loop.Selector.Registrations.First().Fd);
                loop.Requeue(this, Readiness.Priority);
            }
            else
            {
                loop.Stop();
            }
        }
    }
}
