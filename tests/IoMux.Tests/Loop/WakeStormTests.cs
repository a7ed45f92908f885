namespace IoMux.Tests.EventLoops;

/// <summary>
/// Threads posting to a loop that waits without a timeout, on every backend: every action must run, and a stop
/// or dispose from another thread afterwards must still wake the loop. A lost wake-up shows as a deadline passed
/// with work queued and the loop asleep.
/// </summary>
public sealed class WakeStormTests
{
    private const int Posters = 3;
    private const int PostsEach = 50_000;
    private const int Total = Posters * PostsEach;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(Selectors.Backends.Any), MemberType = typeof(Selectors.Backends))]
    public void Every_action_a_storm_of_posters_sends_to_an_idle_loop_runs_and_stop_still_wakes_it(SelectorBackend backend)
    {
        // Not disposed on failure: a loop asleep with work queued would make Dispose wait for it forever.
        var loop = new EventLoop(backend);
        var thread = new Thread(loop.Run) { IsBackground = true, Name = $"storm-{backend}" };
        thread.Start();

        AssertEveryActionRuns(loop, backend);

        var stopper = new Thread(loop.Stop) { IsBackground = true };
        stopper.Start();
        Assert.True(thread.Join(Deadline), $"Stop from another thread did not wake the {backend} loop after the storm");
        loop.Dispose();
    }

    [Theory]
    [MemberData(nameof(Selectors.Backends.Any), MemberType = typeof(Selectors.Backends))]
    public void A_group_loop_runs_a_whole_storm_and_dispose_from_another_thread_returns(SelectorBackend backend)
    {
        var group = new EventLoopGroup(1, backend);
        group.Start();

        AssertEveryActionRuns(group.Loops[0], backend);

        var disposer = new Thread(group.Dispose) { IsBackground = true };
        disposer.Start();
        Assert.True(disposer.Join(Deadline), $"EventLoopGroup.Dispose from another thread did not return after the {backend} storm");
        Assert.Null(group.Fault);
    }

    private static void AssertEveryActionRuns(EventLoop loop, SelectorBackend backend)
    {
        int ran = 0;
        using var allRan = new ManualResetEventSlim();
        Action count = () =>
        {
            if (Interlocked.Increment(ref ran) == Total)
            {
                allRan.Set();
            }
        };
        var posters = new Thread[Posters];
        for (int p = 0; p < Posters; p++)
        {
            int seed = p;
            posters[p] = new Thread(() =>
            {
                var random = new Random(seed);
                for (int i = 0; i < PostsEach; i++)
                {
                    loop.Post(count);
                    WakeSignalTests.Pause(random);
                }
            }) { IsBackground = true, Name = $"poster-{p}" };
            posters[p].Start();
        }
        foreach (Thread poster in posters)
        {
            Assert.True(poster.Join(Deadline), "a posting thread did not finish");
        }
        Assert.True(allRan.Wait(Deadline),
            $"only {Volatile.Read(ref ran)} of {Total} posted actions ran on {backend}: the loop slept with work queued (a lost wake-up)");
    }
}
