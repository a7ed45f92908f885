using IoMux.Tests.Selectors;
using IoMux.Tests.Selectors.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace IoMux.Tests.EventLoops;

/// <summary>
/// A loop's own instruments, read by a listener; measurements are told apart by the loop's name, so other tests' loops
/// do not count. The instruments are process-wide, so these tests run alone: while a listener holds them, every other
/// test's loop records into it, and a test that counts what its loop thread allocates would count those records.
/// </summary>
[Collection(NonParallel.Name)]
public sealed class LoopMetricsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_loop_reports_its_waits_events_time_and_the_lag_of_posted_work_and_timers(SelectorBackend backend)
    {
        string name = $"metrics-{backend}-{Guid.NewGuid():N}";
        using var waits = new MetricCollector<long>(IoMuxMetrics.LoopWaits);
        using var events = new MetricCollector<int>(IoMuxMetrics.LoopEventsPerWait);
        using var time = new MetricCollector<double>(IoMuxMetrics.LoopTime);
        using var lag = new MetricCollector<double>(IoMuxMetrics.LoopLag);
        using var loop = new EventLoop(backend, name);
        (IoMux.Native.FileDescriptor read, IoMux.Native.FileDescriptor write) = IoMux.Native.Descriptors.Pipe();
        using (read)
        using (write)
        {
            loop.Register(read, Interest.Read, new StopOnRead(loop));
            loop.Schedule(TimeSpan.FromMilliseconds(5), () => IoMux.Native.Descriptors.Write(write.Fd, [1], out _));
            loop.Post(() => { }); // before the loop runs: it may stop (at the timer's read) before a later Post
            var thread = new Thread(loop.Run);
            thread.Start();
            Assert.True(thread.Join(Bound), "the loop never stopped");
        }

        bool Ours<T>(CollectedMeasurement<T> m) where T : struct => (string?)m.Tags["iomux.loop"] == name;
        Assert.True(waits.GetMeasurementSnapshot().Where(Ours).Sum(m => m.Value) >= 2, "the loop waited at least for the timer and the read");
        Assert.Contains(events.GetMeasurementSnapshot().Where(Ours), m => m.Value == 1);
        Assert.Contains(time.GetMeasurementSnapshot().Where(Ours), m => (string?)m.Tags["iomux.loop.state"] == "waiting" && m.Value > 0);
        Assert.Contains(time.GetMeasurementSnapshot().Where(Ours), m => (string?)m.Tags["iomux.loop.state"] == "busy");
        Assert.Contains(lag.GetMeasurementSnapshot().Where(Ours), m => (string?)m.Tags["iomux.work"] == "posted" && m.Value >= 0);
        Assert.Contains(lag.GetMeasurementSnapshot().Where(Ours), m => (string?)m.Tags["iomux.work"] == "timer" && m.Value >= 0);
    }

    private sealed class StopOnRead(EventLoop loop) : ILoopHandler
    {
        public void OnReady(Readiness readiness) => loop.Stop();
    }
}
