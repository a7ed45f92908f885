using System.Diagnostics.CodeAnalysis;
using IoMux.Native;
using static IoMux.Native.Constants;
using static IoMux.Native.IoUringConstants;

namespace IoMux;

/// <summary>Arming and cancelling polls: what the kernel holds for each descriptor, and what the next wait submits.</summary>
public sealed partial class IoUringSelector
{
    private enum Arm : byte
    {
        None,
        SingleShot,
        Multishot,
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
            PollEvents = IoUringPollMasks.EventsFor(key.Interest),
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

    private static ulong PollUserData(int fd, uint token) => (uint)fd | ((ulong)token << 32);

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
