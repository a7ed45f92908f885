using System.Diagnostics;
using IoMux.Native;
using static IoMux.Native.IoUringConstants;

namespace IoMux.Tests.Selectors;

/// <summary>
/// The ring under the io_uring selector, against the real kernel: a full submission ring never loses or repeats
/// an entry, and a disposed ring refuses every call instead of touching memory that is no longer mapped.
/// </summary>
public sealed class IoUringRingTests
{
    private const byte IORING_OP_NOP = 0;
    private const int Requests = 1000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Four slots, a thousand requests pushed before the first explicit enter, so nearly every push finds the ring
    /// full. With SQPOLL an enter returns before the kernel's thread has taken anything, which is exactly when a
    /// push that trusted the enter to have made room wrote over an entry the kernel had not read yet.
    /// </summary>
    [IoUringFact]
    public void A_full_submission_ring_completes_every_request_exactly_once() => PushPastFullAndReap(kernelPolled: false);

    [KernelPolledRingFact]
    public void A_full_kernel_polled_submission_ring_completes_every_request_exactly_once() => PushPastFullAndReap(kernelPolled: true);

    private static void PushPastFullAndReap(bool kernelPolled)
    {
        using IoUringRing ring = IoUringRing.Create(4, 2048, kernelPolled ? IORING_SETUP_SQPOLL : 0);
        Assert.Equal(4u, ring.SqEntries);
        Assert.Equal(kernelPolled, ring.KernelPolled);
        for (int i = 1; i <= Requests; i++)
        {
            ring.Push(new IoUringSqe { Opcode = IORING_OP_NOP, UserData = (ulong)i });
        }

        var completions = new int[Requests + 1];
        int reaped = 0;
        var clock = Stopwatch.StartNew();
        while (reaped < Requests && clock.Elapsed < Deadline)
        {
            int entered = ring.SubmitAndWait(1, 1000, out Errno errno);
            Assert.True(entered >= 0 || errno is Errno.ETIME or Errno.EINTR, $"io_uring_enter failed: {errno}");
            uint head = ring.CqHead;
            for (uint tail = ring.CqTail; head != tail; head++)
            {
                ref readonly IoUringCqe cqe = ref ring.Cqe(head);
                Assert.InRange(cqe.UserData, 1UL, (ulong)Requests);
                Assert.Equal(0, cqe.Result);
                completions[cqe.UserData]++;
                reaped++;
            }
            ring.ConsumeTo(head);
        }

        int[] lost = [.. Enumerable.Range(1, Requests).Where(i => completions[i] == 0)];
        int[] repeated = [.. Enumerable.Range(1, Requests).Where(i => completions[i] > 1)];
        Assert.True(lost.Length == 0 && repeated.Length == 0,
            $"{lost.Length} requests never completed (first: {string.Join(", ", lost.Take(5))}) and {repeated.Length} completed more than once (first: {string.Join(", ", repeated.Take(5))}): a push wrote over an unsubmitted entry");
        Assert.Equal(Requests, reaped);
        Assert.Equal(0u, ring.Unsubmitted);
    }

    [IoUringFact]
    public void Room_for_more_entries_than_the_ring_holds_is_refused_with_the_ring_size()
    {
        using IoUringRing ring = IoUringRing.Create(4, 0);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => ring.EnsureSpace(5));
        Assert.Contains("holds 4 entries", e.Message, StringComparison.Ordinal);
    }

    [IoUringFact]
    public void A_disposed_ring_refuses_every_call_instead_of_touching_unmapped_memory()
    {
        IoUringRing ring = IoUringRing.Create(4, 0);
        ring.Push(new IoUringSqe { Opcode = IORING_OP_NOP, UserData = 1 });
        ring.Submit();
        ring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ring.Push(new IoUringSqe { Opcode = IORING_OP_NOP, UserData = 2 }));
        Assert.Throws<ObjectDisposedException>(ring.Submit);
        Assert.Throws<ObjectDisposedException>(() => ring.SubmitAndWait(1, 10, out _));
        Assert.Throws<ObjectDisposedException>(() => ring.EnsureSpace(1));
        Assert.Throws<ObjectDisposedException>(() => ring.Unsubmitted);
        Assert.Throws<ObjectDisposedException>(() => ring.CqHead);
        Assert.Throws<ObjectDisposedException>(() => ring.CqTail);
        Assert.Throws<ObjectDisposedException>(() => ring.CqOverflowed);
        Assert.Throws<ObjectDisposedException>(() => ring.Cqe(0).UserData);
        Assert.Throws<ObjectDisposedException>(() => ring.ConsumeTo(1));
        ring.Dispose();
    }
}

/// <summary>A fact that needs an io_uring ring with IORING_SETUP_SQPOLL, skipped with the reason where setup refuses it.</summary>
public sealed class KernelPolledRingFactAttribute : FactAttribute
{
    public KernelPolledRingFactAttribute()
    {
        if (!Selector.IsAvailable(SelectorBackend.IoUring, out string? reason))
        {
            Skip = $"io_uring is not available here: {reason}";
            return;
        }
        try
        {
            using IoUringRing ring = IoUringRing.Create(4, 0, IORING_SETUP_SQPOLL);
            if (!ring.KernelPolled)
            {
                Skip = "io_uring_setup refused IORING_SETUP_SQPOLL here, so the kernel-polled ring is not tested";
            }
        }
        catch (SyscallException e)
        {
            Skip = $"an io_uring ring could not be set up: {e.Message}";
        }
    }
}
