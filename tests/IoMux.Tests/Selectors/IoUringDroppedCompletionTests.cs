using System.Diagnostics;
using IoMux.Native;

namespace IoMux.Tests.Selectors;

/// <summary>
/// When io_uring_enter answers EBADR the kernel has dropped completions, and the selector keeps running and redoes
/// what they carried. The kernel drops one only when it cannot allocate overflow memory, which a test cannot
/// arrange; so these tests leave the ring as a drop does — the completion posted by the kernel, then consumed
/// without being seen — and check that the recovery brings back every report and the wake-up.
/// </summary>
public sealed class IoUringDroppedCompletionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [IoUringFact]
    public void Readiness_whose_completion_was_dropped_is_reported_again_on_every_trigger()
    {
        using var selector = (IoUringSelector)Selector.Create(SelectorBackend.IoUring);
        var pipes = new[] { Descriptors.Pipe(), Descriptors.Pipe(), Descriptors.Pipe() };
        try
        {
            Trigger[] triggers = [Trigger.Level, Trigger.Edge, Trigger.OneShot];
            for (int i = 0; i < pipes.Length; i++)
            {
                selector.Register(pipes[i].Read, Interest.Read, trigger: triggers[i]);
            }
            Assert.Empty(Collect(selector, TimeSpan.Zero)); // the polls are now armed in the kernel
            foreach ((FileDescriptor _, FileDescriptor write) in pipes)
            {
                Descriptors.WriteOrThrow(write.Fd, [1]);
            }
            DropCompletions(selector.Ring, pipes.Length);

            selector.RecoverDroppedCompletions();

            var expected = pipes.Select(p => (p.Read.Fd, Readiness.Read)).Order().ToList();
            var seen = new List<(int, Readiness)>();
            var clock = Stopwatch.StartNew();
            while (seen.Count < expected.Count && clock.Elapsed < Deadline)
            {
                seen.AddRange(Collect(selector, Deadline - clock.Elapsed));
            }
            Assert.Equal(expected, seen.Order().ToList());
        }
        finally
        {
            foreach ((FileDescriptor read, FileDescriptor write) in pipes)
            {
                read.Dispose();
                write.Dispose();
            }
        }
    }

    [IoUringFact]
    public void A_wake_whose_completion_was_dropped_does_not_silence_later_wakes()
    {
        using var selector = (IoUringSelector)Selector.Create(SelectorBackend.IoUring);
        Assert.Empty(Collect(selector, TimeSpan.Zero)); // the wake poll is armed
        selector.Wake();
        DropCompletions(selector.Ring, 1);

        selector.RecoverDroppedCompletions();

        // Without the recovery the wake descriptor stays readable with a signal pending, so this Wake writes
        // nothing, no completion comes, and a wait without a timeout never returns.
        selector.Wake();
        var waiter = new Thread(() => selector.Wait(new SelectorEvent[4], Timeout.InfiniteTimeSpan)) { IsBackground = true };
        waiter.Start();
        Assert.True(waiter.Join(Deadline), "a wait without a timeout slept through a Wake after a dropped wake completion");
    }

    /// <summary>Waits until the kernel has posted <paramref name="count"/> completions, then consumes them unread, as a drop would.</summary>
    private static void DropCompletions(IoUringRing ring, int count)
    {
        var clock = Stopwatch.StartNew();
        while (ring.CqTail - ring.CqHead < count)
        {
            Assert.True(clock.Elapsed < Deadline, $"the kernel posted {ring.CqTail - ring.CqHead} of {count} completions");
            ring.SubmitAndWait((uint)count, 1000, out _);
        }
        ring.ConsumeTo(ring.CqTail);
    }

    private static List<(int, Readiness)> Collect(Selector selector, TimeSpan timeout)
    {
        var seen = new List<(int, Readiness)>();
        foreach (SelectorEvent e in selector.Wait(new SelectorEvent[8], timeout))
        {
            seen.Add((e.Fd, e.Readiness));
        }
        return seen;
    }
}
