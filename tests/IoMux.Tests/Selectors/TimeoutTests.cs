using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// How long a wait lasts: zero polls, a finite timeout is waited out in full (never shortened by
/// rounding or signals), infinite ends on Wake. Only lower bounds are asserted: they are outcomes
/// ("did not return early"); upper bounds would be performance claims on a shared machine.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class TimeoutTests
{
    private const int SIGWINCH = 28;

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_zero_timeout_returns_with_nothing_ready(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);

        Assert.Empty(Ready.Wait(selector, TimeSpan.Zero));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_finite_timeout_with_nothing_ready_waits_at_least_that_long(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);
        TimeSpan timeout = TimeSpan.FromMilliseconds(60);

        var clock = Stopwatch.StartNew();
        var seen = Ready.Wait(selector, timeout);

        Assert.Empty(seen);
        Assert.True(clock.Elapsed >= timeout, $"waited {clock.Elapsed.TotalMilliseconds} ms of {timeout.TotalMilliseconds}");
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void An_empty_selector_with_a_timeout_just_sleeps(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        TimeSpan timeout = TimeSpan.FromMilliseconds(40);

        var clock = Stopwatch.StartNew();
        var seen = Ready.Wait(selector, timeout);

        Assert.Empty(seen);
        Assert.True(clock.Elapsed >= timeout, $"waited {clock.Elapsed.TotalMilliseconds} ms of {timeout.TotalMilliseconds}");
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Sub_millisecond_and_fractional_timeouts_are_rounded_up_not_down(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);

        foreach (double ms in new[] { 0.001, 0.3, 0.999, 2.5 })
        {
            TimeSpan timeout = TimeSpan.FromMilliseconds(ms);
            for (int i = 0; i < 20; i++)
            {
                var clock = Stopwatch.StartNew();
                var seen = Ready.Wait(selector, timeout);
                Assert.Empty(seen);
                Assert.True(clock.Elapsed >= timeout, $"a {ms} ms wait returned after {clock.Elapsed.TotalMilliseconds} ms");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public async Task An_infinite_wait_returns_when_another_thread_calls_Wake_and_Wake_is_not_an_event(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);

        Task<List<(int, Readiness)>> waiter = Blocked.Start(() => Ready.Wait(selector, Timeout.InfiniteTimeSpan));
        selector.Wake();

        // WaitAsync throws TimeoutException if Wake did not end the infinite wait.
        Assert.Empty(await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public async Task An_infinite_wait_returns_when_another_thread_makes_a_descriptor_ready(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);

        Task<List<(int, Readiness)>> waiter = Blocked.Start(() => Ready.Wait(selector, Timeout.InfiniteTimeSpan));
        Io.Write(pair.B);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Wakes_before_a_wait_end_only_the_next_wait_and_are_consumed_by_it(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);
        for (int i = 0; i < 1000; i++)
        {
            selector.Wake(); // coalesced: one pending wake-up
        }

        Assert.Empty(Ready.Wait(selector, Timeout.InfiniteTimeSpan));

        // The wake-ups were drained: a finite wait now runs its full course.
        TimeSpan timeout = TimeSpan.FromMilliseconds(30);
        var clock = Stopwatch.StartNew();
        Assert.Empty(Ready.Wait(selector, timeout));
        Assert.True(clock.Elapsed >= timeout, $"a drained wake still ended the wait after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_wake_with_ready_descriptors_reports_them_and_never_the_wake_itself(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.B, Interest.Write, trigger: trigger);
        selector.Wake();

        var buffer = new SelectorEvent[8];
        ReadyEvents ready = selector.Wait(buffer, TimeSpan.Zero);

        Assert.Equal(1, ready.Count);
        Assert.Equal(pair.B.Fd, ready.Raw[0].Fd);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_signal_delivered_to_the_waiting_thread_neither_ends_nor_shortens_the_wait(SelectorBackend backend, Trigger trigger)
    {
        int handled = 0;
        // A handler must be installed for the signal to interrupt a system call (SIGWINCH is ignored by default).
        using PosixSignalRegistration registration = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            Interlocked.Increment(ref handled);
        });
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: trigger);
        TimeSpan timeout = TimeSpan.FromMilliseconds(400);

        (TimeSpan elapsed, List<(int, Readiness)> seen, int signals) = WhileSignalled(() => Ready.Wait(selector, timeout));

        Assert.True(signals > 0, "no signal was sent during the wait");
        // Handlers run asynchronously (the runtime dispatches them from its signal thread): give them time.
        SpinWait.SpinUntil(() => Volatile.Read(ref handled) > 0, TimeSpan.FromSeconds(10));
        Assert.True(Volatile.Read(ref handled) > 0, "the signal never reached its handler, so it could not have interrupted the wait");
        Assert.Empty(seen);
        Assert.True(elapsed >= timeout, $"a signal cut the {timeout.TotalMilliseconds} ms wait to {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public unsafe void Control_the_same_signal_does_interrupt_a_raw_poll_with_EINTR()
    {
        // Proves the signal test above can fail: without the selector's retry, the kernel call ends early.
        using PosixSignalRegistration registration = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context => context.Cancel = true);

        (_, (int Result, Errno Errno) raw, _) = WhileSignalled(() =>
        {
            int result = Libc.Poll(null, 0, 20_000);
            return (result, result < 0 ? LastError.Get() : 0);
        });

        Assert.Equal((-1, Errno.EINTR), raw);
    }

    /// <summary>Runs <paramref name="wait"/> on a fresh thread while another thread keeps sending it SIGWINCH.</summary>
    private static (TimeSpan Elapsed, T Result, int Signals) WhileSignalled<T>(Func<T> wait)
    {
        int tid = 0;
        bool done = false;
        TimeSpan elapsed = default;
        T result = default!;
        var waiter = new Thread(() =>
        {
            Volatile.Write(ref tid, Libc.GetTid());
            var clock = Stopwatch.StartNew();
            result = wait();
            elapsed = clock.Elapsed;
            Volatile.Write(ref done, true);
        });
        waiter.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref tid) != 0);
        int pid = Libc.GetPid();
        int signals = 0;
        while (!Volatile.Read(ref done))
        {
            Thread.Sleep(10);
            if (!Volatile.Read(ref done) && Libc.TgKill(pid, tid, SIGWINCH) == 0)
            {
                signals++;
            }
        }
        waiter.Join();
        return (elapsed, result, signals);
    }
}
