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
/// <item>One-shot: a single-shot poll that is not re-armed until <see cref="Selector.Modify"/>.</item>
/// </list>
/// A completion the kernel posted before a wait began may tell of readiness the caller has since consumed; like
/// epoll, which polls a descriptor again before reporting it, such descriptors are polled afresh by that wait.
/// Each poll's user_data carries its descriptor and a token unique to that request, so a completion of a poll
/// that was removed or replaced is recognised and dropped. Differences from epoll: a regular file is always
/// ready (as with poll(2); epoll refuses it with EPERM), and a closed descriptor is reported
/// <see cref="Readiness.Invalid"/> on level and one-shot registrations (as with poll(2)'s POLLNVAL). A pending poll
/// holds a reference to its file: a descriptor closed while still registered stays open in the kernel (its peer
/// sees no EOF) until <see cref="Selector.Unregister"/>, which therefore submits the removal at once.
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

    private enum Arm : byte
    {
        None,
        SingleShot,
        Multishot,
    }

    public override SelectorBackend Backend => SelectorBackend.IoUring;

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
        Recheck(ref woken);
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
    /// Completions posted before this wait began tell of readiness that may be gone (the caller may have read
    /// the data since): like epoll, which polls each ready descriptor again when it reports it, poll those
    /// descriptors afresh. The new polls go in with this wait's enter and complete at once if still ready.
    /// </summary>
    private void Recheck(ref bool woken)
    {
        uint head = Ring.CqHead;
        for (uint tail = Ring.CqTail; head != tail; head++)
        {
            ref readonly IoUringCqe cqe = ref Ring.Cqe(head);
            if (!Classify(cqe, ref woken, out int fd, out SelectorKey? key, out Readiness visible))
            {
                continue;
            }
            ref PollSlot slot = ref _slots[fd];
            if ((cqe.Flags & IORING_CQE_F_MORE) == 0)
            {
                slot.Token = 0;
            }
            else if (visible == Readiness.None)
            {
                continue; // a multishot poll that stays armed and has nothing to say
            }
            CancelPoll(fd, ref slot);
            Queue(fd, ref slot, visible == Readiness.None || key.Trigger == Trigger.Edge ? Arm.Multishot : Arm.SingleShot, recheck: true);
        }
        Ring.ConsumeTo(head);
    }

    /// <summary>Reads the completions of this wait into <paramref name="events"/>; what does not fit stays for the next wait.</summary>
    private int Reap(Span<SelectorEvent> events, ref bool woken)
    {
        uint batch = ++_batch;
        if (batch == 0)
        {
            batch = ++_batch; // 0 marks a slot that reported in no batch
        }
        int count = 0;
        bool room = true;
        while (room)
        {
            uint head = Ring.CqHead;
            for (uint tail = Ring.CqTail; head != tail; head++)
            {
                if (!Dispatch(Ring.Cqe(head), events, ref count, batch, ref woken))
                {
                    room = false;
                    break;
                }
            }
            Ring.ConsumeTo(head);
            if (!room || !Ring.CqOverflowed)
            {
                break;
            }
            Ring.Submit(); // moves the completions the kernel held aside into the ring we just emptied
        }
        return count;
    }

    /// <summary>
    /// Sorts out one completion: handles the wake signal's and drops a removal's or a replaced poll's (false);
    /// otherwise names the registration and the readiness its caller may see (possibly none).
    /// </summary>
    private bool Classify(in IoUringCqe cqe, ref bool woken, out int fd, [NotNullWhen(true)] out SelectorKey? key, out Readiness visible)
    {
        fd = (int)(uint)cqe.UserData;
        key = null;
        visible = Readiness.None;
        uint token = (uint)(cqe.UserData >> 32);
        if (token == 0)
        {
            if (cqe.UserData == WakeUserData)
            {
                DrainWake();
                woken = true;
                if ((cqe.Flags & IORING_CQE_F_MORE) == 0)
                {
                    ArmWake();
                }
            }
            else if ((cqe.UserData & CompletionTag) != 0)
            {
                CompletionSink?.OnCompletion(cqe);
            }
            return false; // RemoveUserData: a cancelled poll's own result, nothing to learn from it
        }
        if ((uint)fd >= (uint)_slots.Length || _slots[fd].Token != token)
        {
            return false; // a poll that was removed or replaced
        }
        key = Table.Find(fd)!;
        Readiness readiness = cqe.Result >= 0 ? ToReadiness((uint)cqe.Result)
            : cqe.Result == -(int)Errno.EBADF ? Readiness.Invalid : Readiness.Error;
        visible = Visible(key.Interest, readiness);
        return true;
    }

    /// <summary>Handles one completion; false when it is an event and <paramref name="events"/> is full.</summary>
    private bool Dispatch(in IoUringCqe cqe, Span<SelectorEvent> events, ref int count, uint batch, ref bool woken)
    {
        if (!Classify(cqe, ref woken, out int fd, out SelectorKey? key, out Readiness visible))
        {
            return true;
        }
        ref PollSlot slot = ref _slots[fd];
        bool more = (cqe.Flags & IORING_CQE_F_MORE) != 0;
        if ((key.Interest & Interest.Priority) != 0 && cqe.Result >= 0)
        {
            // A completion woken by new data carries the wake-up's mask, and a socket's data wake-up always says
            // EPOLLPRI. Only a fresh look tells whether urgent data is really there (epoll looks again too).
            visible = Visible(key.Interest, PollNow(fd, key.Interest));
        }
        if (visible == Readiness.None)
        {
            // io_uring always listens for POLLRDHUP. Polling again would complete at once on the same condition,
            // so wait for the descriptor's next wake-up instead (a multishot poll), whatever the trigger.
            if (!more)
            {
                slot.Token = 0;
                Queue(fd, ref slot, Arm.Multishot);
            }
            return true;
        }

        bool merge = slot.Batch == batch;
        if (!merge && count == events.Length)
        {
            return false;
        }
        if (!more)
        {
            slot.Token = 0;
        }
        if (merge)
        {
            events[slot.Index] = Event(key, events[slot.Index].Readiness | visible);
        }
        else
        {
            slot.Batch = batch;
            slot.Index = count;
            events[count++] = Event(key, visible);
        }

        switch (key.Trigger)
        {
            case Trigger.Level:
                // Check again at the next wait: a poll armed then completes at once if the readiness is still there.
                CancelPoll(fd, ref slot);
                Queue(fd, ref slot, Arm.SingleShot);
                break;
            case Trigger.OneShot:
                key.Armed = false;
                CancelPoll(fd, ref slot);
                break;
            default:
                // A multishot poll ends without IORING_CQE_F_MORE when the completion ring overflowed, or when the
                // file has no wait queue (a regular file, always ready): arm it again unless it failed.
                if (!more && cqe.Result >= 0)
                {
                    Queue(fd, ref slot, Arm.Multishot);
                }
                break;
        }
        return true;
    }

    private void Queue(int fd, ref PollSlot slot, Arm arm, bool recheck = false)
    {
        if (slot.Queued == Arm.None)
        {
            (recheck ? ref _recheckQueue : ref _armQueue).Add(fd);
        }
        slot.Queued = arm;
    }

    /// <summary>
    /// Arms what the last wait left to arm: it goes to the kernel with this wait's enter. Re-checks go first, so
    /// when more descriptors are ready than the caller's buffer holds, those left out are reported before those
    /// just reported (the completions come back in the order the polls went in).
    /// </summary>
    private void ArmQueued()
    {
        ArmAll(ref _recheckQueue);
        ArmAll(ref _armQueue);
    }

    private void ArmAll(ref ArmQueue queue)
    {
        foreach (int fd in queue.Items)
        {
            ref PollSlot slot = ref _slots[fd];
            Arm arm = slot.Queued;
            slot.Queued = Arm.None;
            if (arm != Arm.None && slot.Token == 0 && Table.Find(fd) is { } key)
            {
                ArmPoll(key, arm);
            }
        }
        queue.Clear();
    }

    private void ArmPoll(SelectorKey key, Arm arm)
    {
        uint token = ++_lastToken;
        if (token == 0)
        {
            token = ++_lastToken;
        }
        Ring.Push(new IoUringSqe
        {
            Opcode = IORING_OP_POLL_ADD,
            Fd = key.Fd,
            Length = arm == Arm.Multishot ? IORING_POLL_ADD_MULTI : 0,
            PollEvents = EventsFor(key.Interest),
            UserData = PollUserData(key.Fd, token),
        });
        _slots[key.Fd].Token = token;
        KernelChanges++;
    }

    private void CancelPoll(int fd, ref PollSlot slot)
    {
        if (slot.Token == 0)
        {
            return;
        }
        // ASYNC_CANCEL, not POLL_REMOVE: a removal that lands while a wake-up of the poll is being processed finds it
        // busy and fails with ENOENT, and a multishot poll then lives on unseen, holding its file open (the peer never
        // sees our FIN). A cancel marks the poll and takes effect when that processing ends.
        Ring.Push(IoUringRequests.Cancel(PollUserData(fd, slot.Token), RemoveUserData));
        slot.Token = 0;
        KernelChanges++;
    }

    private void ArmWake() => Ring.Push(new IoUringSqe
    {
        Opcode = IORING_OP_POLL_ADD,
        Fd = WakeFd,
        Length = IORING_POLL_ADD_MULTI,
        PollEvents = (uint)POLLIN,
        UserData = WakeUserData,
    });

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

    private static ulong PollUserData(int fd, uint token) => (uint)fd | ((ulong)token << 32);

    /// <summary>poll(2) with no timeout: the descriptor's readiness right now.</summary>
    private static unsafe Readiness PollNow(int fd, Interest interest)
    {
        PollFd pollFd = new() { Fd = fd, Events = (short)EventsFor(interest) };
        return Libc.Poll(&pollFd, 1, 0) > 0 ? ToReadiness((ushort)pollFd.REvents) : Readiness.None;
    }

    private static uint EventsFor(Interest interest)
    {
        int events = 0;
        if ((interest & Interest.Read) != 0) events |= POLLIN;
        if ((interest & Interest.Write) != 0) events |= POLLOUT;
        // io_uring matches a wake-up against the poll's events with EPOLLPRI masked out, so a poll for POLLPRI
        // alone is never woken; urgent data arrives with the data wake-up (EPOLLIN | EPOLLPRI), so listen for that.
        if ((interest & Interest.Priority) != 0) events |= POLLPRI | POLLIN;
        if ((interest & Interest.ReadHangup) != 0) events |= POLLRDHUP;
        return (uint)events;
    }

    private static Readiness ToReadiness(uint mask)
    {
        Readiness r = Readiness.None;
        if ((mask & (uint)POLLIN) != 0) r |= Readiness.Read;
        if ((mask & (uint)POLLOUT) != 0) r |= Readiness.Write;
        if ((mask & (uint)POLLPRI) != 0) r |= Readiness.Priority;
        if ((mask & (uint)POLLRDHUP) != 0) r |= Readiness.ReadHangup;
        if ((mask & (uint)POLLHUP) != 0) r |= Readiness.Hangup;
        if ((mask & (uint)POLLERR) != 0) r |= Readiness.Error;
        if ((mask & (uint)POLLNVAL) != 0) r |= Readiness.Invalid;
        return r;
    }

    /// <summary>Descriptors waiting to be armed, in order; grows to the largest batch once, then reused.</summary>
    private struct ArmQueue
    {
        private int[] _fds;
        private int _count;

        public ArmQueue() => _fds = new int[16];

        public readonly ReadOnlySpan<int> Items => _fds.AsSpan(0, _count);

        public void Add(int fd)
        {
            if (_count == _fds.Length)
            {
                Array.Resize(ref _fds, _fds.Length * 2);
            }
            _fds[_count++] = fd;
        }

        public void Clear() => _count = 0;
    }

    /// <summary>What the kernel holds for one descriptor.</summary>
    private struct PollSlot
    {
        /// <summary>The token of the poll the kernel holds (or will, once submitted); 0 when none.</summary>
        public uint Token;

        /// <summary>The poll to arm at the start of the next wait.</summary>
        public Arm Queued;

        /// <summary>The wait that last reported this descriptor, and where its event sits, to merge repeats.</summary>
        public uint Batch;
        public int Index;
    }
}

/// <summary>Takes the completions of requests that share an <see cref="IoUringSelector"/>'s ring but are not its polls.</summary>
internal interface IRingCompletionSink
{
    void OnCompletion(in IoUringCqe cqe);
}
