using System.Diagnostics.CodeAnalysis;
using IoMux.Native;
using static IoMux.Native.Constants;
using static IoMux.Native.IoUringConstants;

namespace IoMux;

/// <summary>
/// io_uring(7): readiness as IORING_OP_POLL_ADD requests on a ring of our own. Registering, modifying and
/// re-arming only write ring entries, which the next <see cref="Selector.Wait"/> submits together with its wait
/// in one io_uring_enter. Level, edge and one-shot:
/// <list type="bullet">
/// <item>Level: a single-shot poll, re-armed at the start of the next wait after it reports. A poll armed on a
/// ready descriptor completes at once, so readiness still there is reported on every wait, as with epoll.</item>
/// <item>Edge: one multishot poll (IORING_POLL_ADD_MULTI), which posts a completion per wake-up: reported when the
/// descriptor becomes ready, then again only when something new happens.</item>
/// <item>One-shot: a single-shot poll that is not re-armed until <see cref="Selector.Modify(int, Interest, Trigger?)"/>.</item>
/// </list>
/// A completion the kernel posted before a wait began may tell of readiness the caller has since consumed; like
/// epoll, which polls a descriptor again before reporting it, such descriptors are polled afresh by that wait.
/// Each poll's user_data carries its descriptor and a token unique to that request, so a completion of a poll
/// that was removed or replaced is recognised and dropped. Differences from epoll: a regular file is always
/// ready (as with poll(2); epoll refuses it with EPERM), and a closed descriptor is reported
/// <see cref="Readiness.Invalid"/> on level and one-shot registrations (as with poll(2)'s POLLNVAL). A pending poll
/// holds a reference to its file: a descriptor closed while still registered stays open in the kernel (its peer
/// sees no EOF) until <see cref="Selector.Unregister(int)"/>, which therefore submits the removal at once.
/// </summary>
public sealed partial class IoUringSelector : Selector
{
    // Submissions are flushed when the ring fills, so its size only sets how many changes share one enter.
    private const uint SubmissionEntries = 256;

    // Completions wait here between waits. A multishot poll ends when this overflows, and is then re-armed.
    private const uint CompletionEntries = 4096;

    // user_data with a zero token: our own requests, never a registration's poll.
    private const ulong WakeUserData = 1;
    private const ulong RemoveUserData = 2;

    /// <summary>
    /// user_data of a request that is not the selector's: upper half zero (no poll token), this bit set. Such
    /// completions go to <see cref="CompletionSink"/>; the lower 31 bits are the sink's own.
    /// </summary>
    internal const ulong CompletionTag = 1UL << 31;

    private readonly IoUringRing? _ring;
    private PollSlot[] _slots = new PollSlot[64];
    private ArmQueue _recheckQueue = new();
    private ArmQueue _armQueue = new();
    private uint _lastToken;
    private uint _batch;
    private bool _ringClosed;

    internal IoUringSelector()
    {
        try
        {
            IoUringSupport.ThrowIfUnavailable();
            _ring = IoUringRing.Create(SubmissionEntries, CompletionEntries, IoUringOps.IORING_SETUP_COOP_TASKRUN);
            ArmWake();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public override SelectorBackend Backend => SelectorBackend.IoUring;

    /// <inheritdoc/>
    public override bool Supports(Trigger trigger) => true;

    /// <summary>The ring, for a completion queue that shares it: its requests go in with this selector's waits.</summary>
    internal IoUringRing Ring => _ring!;

    /// <summary>Where completions tagged <see cref="CompletionTag"/> go while this selector reaps (loop thread, inside Wait).</summary>
    internal IRingCompletionSink? CompletionSink { get; set; }

    private protected override void AddToKernel(SelectorKey key)
    {
        // The kernel learns the descriptor only when the poll is submitted: check it is open now.
        EnsureOpen(key.Fd);
        ReserveSubmissions(1);
        if (key.Fd >= _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(key.Fd + 1, _slots.Length * 2));
        }
        _slots[key.Fd] = default;
        ArmPoll(key, key.Trigger == Trigger.Edge ? Arm.Multishot : Arm.SingleShot);
    }

    private protected override void ModifyInKernel(SelectorKey key)
    {
        ReserveSubmissions(2);
        ref PollSlot slot = ref _slots[key.Fd];
        CancelPoll(key.Fd, ref slot);
        slot.Queued = Arm.None;
        ArmPoll(key, key.Trigger == Trigger.Edge ? Arm.Multishot : Arm.SingleShot);
    }

    private protected override void RemoveFromKernel(SelectorKey key)
    {
        ref PollSlot slot = ref _slots[key.Fd];
        bool pending = slot.Token != 0;
        if (pending)
        {
            ReserveSubmissions(1);
            CancelPoll(key.Fd, ref slot);
        }
        slot = default;
        if (pending)
        {
            // The poll holds the file open: submit its removal now, so a close that follows really closes.
            Ring.Submit();
        }
    }

    private protected override int WaitInKernel(Span<SelectorEvent> events, int timeoutMs, out bool woken)
    {
        woken = false;
        // A completion the recheck handed on ends the wait before it begins: its callbacks may have asked for the turn.
        Recheck(ref woken);
        CompletionSink?.BeforeEnter();
        ArmQueued();
        int submitted = Ring.SubmitAndWait(1, woken ? 0 : timeoutMs, out Errno errno);
        // EBADR cannot be provoked from a test: the kernel drops a completion only when the completion ring is full
        // and it then fails to allocate the overflow entry that would hold it aside (memory critically short, or
        // fault injection), and it clears the state as it reports it. What follows is what it leaves behind.
        bool dropped = submitted < 0 && errno == Errno.EBADR;
        if (submitted < 0 && !dropped && errno is not (Errno.ETIME or Errno.EINTR or Errno.EAGAIN or Errno.EBUSY))
        {
            throw new SyscallException("io_uring_enter", errno, Ring.Fd);
        }
        int count = Reap(events, ref woken);
        if (dropped)
        {
            RecoverDroppedCompletions();
            woken = true; // the wait ends (maybe with no events): whoever woke us may have been the one lost
        }
        return count == 0 && !woken && submitted < 0 && errno == Errno.EINTR ? -1 : count;
    }

    /// <summary>
    /// After EBADR (the kernel dropped at least one completion, not saying which), redoes what a lost completion
    /// could silence: the wake descriptor is drained, so a wake whose completion was lost cannot leave later wakes
    /// coalescing into a signal nobody reads; a second wake poll is armed in case the lost completion was the last
    /// of the first (two polls on it only cost an extra completion per wake); and every armed registration is
    /// polled afresh, so a lost readiness report is made again (an edge-triggered one may see one edge twice, a
    /// level or one-shot one nothing more than a level poll would say). What cannot be redone is the result of a
    /// completion request (a receive or send of the loop's completion queue): the sink is told, so it can find and settle those requests.
    /// </summary>
    internal void RecoverDroppedCompletions()
    {
        ThrowIfDisposed();
        DrainWake();
        ArmWake();
        CompletionSink?.OnCompletionsLost();
        foreach (SelectorKey key in Table.Keys)
        {
            if (!key.Armed)
            {
                continue; // a one-shot registration that reported and waits for Modify
            }
            ref PollSlot slot = ref _slots[key.Fd];
            CancelPoll(key.Fd, ref slot);
            Queue(key.Fd, ref slot, key.Trigger == Trigger.Edge ? Arm.Multishot : Arm.SingleShot);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ring is not null && !_ringClosed)
        {
            _ringClosed = true;
            try
            {
                CancelAll();
            }
            finally
            {
                // Whatever the cancels met, the ring goes: from here every use of it throws ObjectDisposedException.
                base.Dispose(disposing);
                _ring.Dispose();
            }
            return;
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// Makes room for <paramref name="entries"/> submissions first, so a change never half-happens: the kernel takes
    /// queued entries until there is room (a full ring is never written over), or the change fails untouched.
    /// </summary>
    private void ReserveSubmissions(uint entries) => Ring.EnsureSpace(entries);

    /// <summary>Removes every pending poll before the ring goes, so no file stays open behind the caller's back.</summary>
    private void CancelAll()
    {
        foreach (SelectorKey key in Table.Keys)
        {
            CancelPoll(key.Fd, ref _slots[key.Fd]);
        }
        Ring.Push(IoUringRequests.Cancel(WakeUserData, RemoveUserData));
        Ring.Submit();
    }

}
