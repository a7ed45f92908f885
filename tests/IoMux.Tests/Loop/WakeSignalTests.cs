using IoMux.Native;

namespace IoMux.Tests.EventLoops;

/// <summary>
/// The wake descriptor itself, on both of its forms (eventfd, and the pipe used where eventfd is missing): a
/// signal that lands while the waiting thread drains must still wake the next wait.
/// </summary>
public sealed class WakeSignalTests
{
    private const int Signals = 200_000;

    // Far longer than any drain takes on a loaded machine: a wait this long with signals outstanding is a hang.
    private const int SilenceMs = 15_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_signal_racing_with_the_drain_still_wakes_the_next_wait(bool pipe)
    {
        using WakeSignal wake = pipe ? WakeSignal.CreatePipe() : WakeSignal.Create();
        int sent = 0;
        var signaller = new Thread(() =>
        {
            var random = new Random(20261127);
            for (int i = 0; i < Signals; i++)
            {
                Interlocked.Increment(ref sent);
                wake.Signal();
                Pause(random);
            }
        }) { IsBackground = true, Name = "wake-signaller" };
        signaller.Start();

        int seen = 0;
        while (seen < Signals)
        {
            // Every signal counted after the last drain is still owed a wake-up.
            Assert.True(WaitReadable(wake.Fd, SilenceMs),
                $"the wake {(pipe ? "pipe" : "eventfd")} stayed unreadable for {SilenceMs} ms although {Volatile.Read(ref sent) - seen} signals came after the last drain (a lost wake-up)");
            wake.Drain();
            seen = Volatile.Read(ref sent);
        }
        Assert.True(signaller.Join(TimeSpan.FromSeconds(60)), "the signalling thread did not finish");
    }

    /// <summary>Mostly back to back, sometimes a yield or a short spin, now and then long enough for the waiter to block.</summary>
    internal static void Pause(Random random)
    {
        int roll = random.Next(1024);
        if (roll == 0)
        {
            Thread.Sleep(1);
        }
        else if (roll < 32)
        {
            Thread.Yield();
        }
        else if (roll < 128)
        {
            Thread.SpinWait(random.Next(1, 500));
        }
    }

    private static unsafe bool WaitReadable(int fd, int timeoutMs)
    {
        PollFd pollFd = new() { Fd = fd, Events = Constants.POLLIN };
        int ready;
        do
        {
            ready = Libc.Poll(&pollFd, 1, timeoutMs);
        }
        while (ready < 0 && LastError.Get() == Errno.EINTR);
        LastError.Check(ready, "poll(wake)", fd);
        return ready > 0;
    }
}
