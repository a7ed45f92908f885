namespace IoMux.Tests.EventLoops;

public sealed class TimerTests
{
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Timers_fire_in_deadline_order_and_equal_deadlines_in_scheduling_order()
    {
        using var loop = new EventLoop();
        var fired = new List<string>();
        var timers = new List<(string Name, LoopTimer Timer)>();
        void Add(string name, TimeSpan delay) => timers.Add((name, loop.Schedule(delay, () =>
        {
            fired.Add(name);
            if (fired.Count == timers.Count)
            {
                loop.Stop();
            }
        })));
        Add("30ms", TimeSpan.FromMilliseconds(30));
        Add("10ms", TimeSpan.FromMilliseconds(10));
        Add("20ms", TimeSpan.FromMilliseconds(20));
        Add("now-first", TimeSpan.Zero);
        Add("now-second", TimeSpan.Zero);
        // Each deadline is read from the clock as it is scheduled: on a loaded machine a pause between two Schedule
        // calls moves the later one's deadline, so the order to expect is the deadlines' own (ties: scheduling order).
        string[] expected = [.. timers.OrderBy(t => t.Timer.Due).ThenBy(t => t.Timer.Sequence).Select(t => t.Name)];

        RunBounded(loop);

        Assert.Equal(expected, fired);
    }

    [Fact]
    public void A_cancelled_timer_never_fires_even_when_cancelled_by_a_timer_due_at_the_same_turn()
    {
        using var loop = new EventLoop();
        var fired = new List<string>();
        LoopTimer doomed = loop.Schedule(TimeSpan.FromMilliseconds(20), () => fired.Add("doomed"));
        LoopTimer alsoDoomed = loop.Schedule(TimeSpan.FromMilliseconds(5), () => fired.Add("also doomed"));
        loop.Schedule(TimeSpan.FromMilliseconds(5), () => fired.Add("kept"));
        alsoDoomed.Cancel();
        alsoDoomed.Cancel();
        loop.Schedule(TimeSpan.FromMilliseconds(1), () => doomed.Cancel());
        loop.Schedule(TimeSpan.FromMilliseconds(50), loop.Stop);

        RunBounded(loop);

        Assert.Equal(["kept"], fired);
        Assert.False(doomed.IsPending);
        Assert.Equal(0, loop.PendingTimers);
    }

    [Fact]
    public void A_repeating_timer_fires_until_cancelled()
    {
        using var loop = new EventLoop();
        int ticks = 0;
        LoopTimer? repeating = null;
        repeating = loop.ScheduleRepeating(TimeSpan.FromMilliseconds(2), () =>
        {
            if (++ticks == 5)
            {
                repeating!.Cancel();
                loop.Schedule(TimeSpan.FromMilliseconds(30), loop.Stop);
            }
        });

        RunBounded(loop);

        Assert.Equal(5, ticks);
        Assert.False(repeating.IsPending);
    }

    [Fact]
    public void Rescheduling_moves_the_deadline_and_a_zero_delay_rearm_runs_next_turn_not_in_a_spin()
    {
        using var loop = new EventLoop();
        var fired = new List<string>();
        LoopTimer late = loop.Schedule(TimeSpan.FromMilliseconds(1), () => fired.Add("moved"));
        late.Reschedule(TimeSpan.FromMilliseconds(25));
        loop.Schedule(TimeSpan.FromMilliseconds(10), () => fired.Add("10ms"));
        int rearms = 0;
        LoopTimer? self = null;
        self = loop.Schedule(TimeSpan.Zero, () =>
        {
            if (++rearms < 100)
            {
                self!.Reschedule(TimeSpan.Zero);
            }
        });
        // Stop once everything has run, not at a fixed time: on a loaded machine 100 turns can outlast any deadline.
        loop.ScheduleRepeating(TimeSpan.FromMilliseconds(5), () =>
        {
            if (rearms == 100 && fired.Count == 2)
            {
                loop.Stop();
            }
        });

        RunBounded(loop);

        Assert.Equal(["10ms", "moved"], fired);
        Assert.Equal(100, rearms);
    }

    [Fact]
    public void Scheduling_from_a_foreign_thread_while_the_loop_runs_is_refused()
    {
        using var loop = new EventLoop();
        var thread = new Thread(loop.Run);
        thread.Start();
        try
        {
            SpinWait.SpinUntil(() => loop.IsRunning, Bound);
            var e = Assert.Throws<InvalidOperationException>(() => loop.Schedule(TimeSpan.Zero, () => { }));
            Assert.Contains("Post", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            loop.Stop();
            Assert.True(thread.Join(Bound), "the loop did not stop");
        }
    }

    internal static void RunBounded(EventLoop loop)
    {
        var thread = new Thread(loop.Run);
        thread.Start();
        if (!thread.Join(Bound))
        {
            loop.Stop();
            thread.Join(Bound);
            Assert.Fail($"the loop did not stop within {Bound.TotalSeconds} s");
        }
    }
}
