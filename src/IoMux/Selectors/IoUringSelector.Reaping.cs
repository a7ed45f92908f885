using System.Diagnostics.CodeAnalysis;
using IoMux.Native;
using static IoMux.Native.Constants;
using static IoMux.Native.IoUringConstants;

namespace IoMux;

/// <summary>Reading the completion ring: what each poll completion means for its registration.</summary>
public sealed partial class IoUringSelector
{
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
                // Its callbacks may have scheduled a timer or re-queued a handler: end the wait, so the loop's turn
                // runs them and the next wait is timed by them, not by the timeout this one began with.
                woken = true;
            }
            return false; // RemoveUserData: a cancelled poll's own result, nothing to learn from it
        }
        if ((uint)fd >= (uint)_slots.Length || _slots[fd].Token != token)
        {
            return false; // a poll that was removed or replaced
        }
        key = Table.Find(fd)!;
        Readiness readiness = cqe.Result >= 0 ? IoUringPollMasks.ToReadiness((uint)cqe.Result)
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
            visible = Visible(key.Interest, IoUringPollMasks.PollNow(fd, key.Interest));
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
}
