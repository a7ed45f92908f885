using IoMux.Cli.Demos;

namespace IoMux.Cli.Tests.Demos;

public sealed class TriggerDemoTests
{
    private static readonly TimeSpan QuietWait = TimeSpan.FromMilliseconds(30);

    public static TheoryData<SelectorBackend, Trigger> Cases
    {
        get
        {
            var data = new TheoryData<SelectorBackend, Trigger>();
            foreach ((SelectorBackend backend, Trigger trigger) in TriggerDemo.Cases())
            {
                data.Add(backend, trigger);
            }
            return data;
        }
    }

    [Fact]
    public void Every_backend_runs_level_and_oneshot_and_only_epoll_and_io_uring_run_edge()
    {
        (SelectorBackend, Trigger)[] expected =
        [
            (SelectorBackend.Epoll, Trigger.Level), (SelectorBackend.Epoll, Trigger.Edge), (SelectorBackend.Epoll, Trigger.OneShot),
            (SelectorBackend.Poll, Trigger.Level), (SelectorBackend.Poll, Trigger.OneShot),
            (SelectorBackend.Select, Trigger.Level), (SelectorBackend.Select, Trigger.OneShot),
        ];
        if (Selector.IsAvailable(SelectorBackend.IoUring, out _))
        {
            expected = [.. expected, (SelectorBackend.IoUring, Trigger.Level), (SelectorBackend.IoUring, Trigger.Edge), (SelectorBackend.IoUring, Trigger.OneShot)];
        }
        Assert.Equal(expected, TriggerDemo.Cases());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_mode_reports_the_first_write(SelectorBackend backend, Trigger trigger)
    {
        Assert.Equal(WaitOutcome.Reported, TriggerDemo.Run(backend, trigger, QuietWait).AfterWrite);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void After_reading_half_only_level_reports_the_rest(SelectorBackend backend, Trigger trigger)
    {
        TriggerDemoResult result = TriggerDemo.Run(backend, trigger, QuietWait);
        WaitOutcome expected = trigger == Trigger.Level ? WaitOutcome.Reported : WaitOutcome.Silent;
        Assert.Equal(expected, result.AfterPartialRead);
        Assert.Equal(5, result.Steps[3].BytesLeft);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Edge_speaks_again_on_new_data_oneshot_on_rearm_and_drained_level_falls_silent(SelectorBackend backend, Trigger trigger)
    {
        TriggerDemoResult result = TriggerDemo.Run(backend, trigger, QuietWait);
        (WaitOutcome expected, int bytesLeft) = trigger switch
        {
            Trigger.Level => (WaitOutcome.Silent, 0),
            Trigger.Edge => (WaitOutcome.Reported, 6),
            _ => (WaitOutcome.Reported, 5),
        };
        Assert.Equal(expected, result.AfterFollowUp);
        Assert.Equal(bytesLeft, result.Steps[^1].BytesLeft);
    }
}
