using System.Runtime.CompilerServices;
using IoMux.Native;
using static IoMux.Native.Constants;

namespace IoMux;

/// <summary>
/// epoll(7): the kernel keeps the interest list, a wait costs O(ready). Level, edge and one-shot.
/// Each registration's epoll data carries its descriptor and generation, so an event from a
/// descriptor number that was closed and reused is recognised as stale and dropped.
/// </summary>
public sealed class EpollSelector : Selector
{
    private const uint WakeGeneration = 0;

    private readonly FileDescriptor _epoll;
    private byte[] _buffer = new byte[64 * EpollEventLayout.Size];

    internal EpollSelector()
    {
        _epoll = new FileDescriptor(LastError.Check(Libc.EpollCreate1(EPOLL_CLOEXEC), "epoll_create1", -1));
        Control(EPOLL_CTL_ADD, WakeFd, EPOLLIN, Pack(WakeFd, WakeGeneration));
    }

    /// <inheritdoc/>
    public override SelectorBackend Backend => SelectorBackend.Epoll;

    /// <inheritdoc/>
    public override bool Supports(Trigger trigger) => true;

    private protected override void AddToKernel(SelectorKey key) =>
        Control(EPOLL_CTL_ADD, key.Fd, EventsFor(key), Pack(key.Fd, key.Generation));

    private protected override void ModifyInKernel(SelectorKey key) =>
        Control(EPOLL_CTL_MOD, key.Fd, EventsFor(key), Pack(key.Fd, key.Generation));

    private protected override unsafe void RemoveFromKernel(SelectorKey key)
    {
        KernelChanges++;
        if (Libc.EpollCtl(_epoll.Fd, EPOLL_CTL_DEL, key.Fd, null) < 0)
        {
            Errno errno = LastError.Get();
            // Closing a descriptor removes it from every epoll set: EBADF (still closed) or
            // ENOENT (its number now names another file) means there is nothing left to remove.
            if (errno is not (Errno.EBADF or Errno.ENOENT))
            {
                throw new SyscallException("epoll_ctl(DEL)", errno, key.Fd);
            }
        }
    }

    private protected override int WaitInKernel(Span<SelectorEvent> events, int timeoutMs, out bool woken)
    {
        woken = false;
        int ready = WaitForEvents(events.Length, timeoutMs);
        return ready < 0 ? -1 : Collect(_buffer, ready, events, ref woken);
    }

    /// <summary>Calls each handler as its event is read from the kernel's buffer, with the checks <see cref="Collect"/> and <see cref="ReadyEvents"/> make between them.</summary>
    internal override int WaitAndDispatch(Span<SelectorEvent> scratch, TimeSpan timeout)
    {
        ThrowIfDisposed();
        int ready = WaitForEvents(scratch.Length, TimeoutMilliseconds(timeout));
        ReadOnlySpan<byte> buffer = _buffer; // only a wait replaces it
        RegistrationTable table = Table;
        bool woken = false;
        for (int i = 0; i < ready; i++)
        {
            // Claimed as it is reached: a handler called earlier in this batch may have removed or replaced the registration.
            if (Claim(buffer, i, table, ref woken) is not { } key)
            {
                continue;
            }
            Readiness visible = Visible(key.Interest, ToReadiness(EpollEventLayout.ReadEvents(buffer, i)));
            if (visible != Readiness.None)
            {
                key.Handler?.OnReady(visible);
            }
        }
        return Math.Max(ready, 0) - (woken ? 1 : 0); // the wake signal reports at most once per wait
    }

    /// <summary>One epoll_wait of at most <paramref name="max"/> events into the buffer; -1 when a signal interrupted it.</summary>
    private unsafe int WaitForEvents(int max, int timeoutMs)
    {
        if (_buffer.Length < max * EpollEventLayout.Size)
        {
            _buffer = new byte[max * EpollEventLayout.Size];
        }
        int ready;
        fixed (byte* p = _buffer)
        {
            ready = Libc.EpollWait(_epoll.Fd, p, max, timeoutMs);
        }
        if (ready < 0)
        {
            Errno errno = LastError.Get();
            return errno == Errno.EINTR ? -1 : throw new SyscallException("epoll_wait", errno, _epoll.Fd);
        }
        return ready;
    }

    /// <summary>The events of live registrations, in the kernel's order; a loop of its own, so its few values stay in registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Collect(ReadOnlySpan<byte> buffer, int ready, Span<SelectorEvent> events, ref bool woken)
    {
        RegistrationTable table = Table;
        int count = 0;
        for (int i = 0; i < ready; i++)
        {
            if (Claim(buffer, i, table, ref woken) is { } key)
            {
                events[count++] = Event(key, ToReadiness(EpollEventLayout.ReadEvents(buffer, i)));
            }
        }
        return count;
    }

    /// <summary>
    /// The registration the buffer's event <paramref name="i"/> is for, a one-shot one left disarmed; null for the wake
    /// signal (drained, and <paramref name="woken"/> set) or a registration that no longer exists (its descriptor's
    /// number closed, or registered again under a new generation).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SelectorKey? Claim(ReadOnlySpan<byte> buffer, int i, RegistrationTable table, ref bool woken)
    {
        ulong data = EpollEventLayout.ReadData(buffer, i);
        (int fd, uint generation) = ((int)(uint)data, (uint)(data >> 32));
        if (generation == WakeGeneration)
        {
            DrainWake();
            woken = true;
            return null;
        }
        SelectorKey? key = table.Find(fd);
        if (key is null || key.Generation != generation)
        {
            return null;
        }
        if (key.Trigger == Trigger.OneShot)
        {
            key.Armed = false;
        }
        return key;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _epoll.Dispose();
        }
    }

    private static ulong Pack(int fd, uint generation) => (uint)fd | ((ulong)generation << 32);

    private static uint EventsFor(SelectorKey key)
    {
        uint events = 0;
        if ((key.Interest & Interest.Read) != 0) events |= EPOLLIN;
        if ((key.Interest & Interest.Write) != 0) events |= EPOLLOUT;
        if ((key.Interest & Interest.Priority) != 0) events |= EPOLLPRI;
        if ((key.Interest & Interest.ReadHangup) != 0) events |= EPOLLRDHUP;
        return key.Trigger switch
        {
            Trigger.Edge => events | EPOLLET,
            Trigger.OneShot => events | EPOLLONESHOT,
            _ => events,
        };
    }

    /// <summary>Readiness by <see cref="EventIndex"/>: one load per event, not a test per flag.</summary>
    private static readonly Readiness[] ReadinessByEvents = BuildReadinessTable();

    /// <summary>The five low event bits (IN, PRI, OUT, ERR, HUP) with RDHUP moved next to them: 0..63.</summary>
    private static int EventIndex(uint events) => (int)((events & 0x1f) | ((events & EPOLLRDHUP) >> 8));

    private static Readiness ToReadiness(uint events) => ReadinessByEvents[EventIndex(events)];

    private static Readiness[] BuildReadinessTable()
    {
        var table = new Readiness[64];
        for (int i = 0; i < table.Length; i++)
        {
            uint events = (uint)(i & 0x1f) | ((uint)(i & 0x20) << 8);
            Readiness r = Readiness.None;
            if ((events & EPOLLIN) != 0) r |= Readiness.Read;
            if ((events & EPOLLOUT) != 0) r |= Readiness.Write;
            if ((events & EPOLLPRI) != 0) r |= Readiness.Priority;
            if ((events & EPOLLRDHUP) != 0) r |= Readiness.ReadHangup;
            if ((events & EPOLLHUP) != 0) r |= Readiness.Hangup;
            if ((events & EPOLLERR) != 0) r |= Readiness.Error;
            table[i] = r;
        }
        return table;
    }

    private unsafe void Control(int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        EpollEventLayout.Write(new Span<byte>(ev, 16), events, data);
        KernelChanges++;
        string call = op switch { EPOLL_CTL_ADD => "epoll_ctl(ADD)", EPOLL_CTL_MOD => "epoll_ctl(MOD)", _ => "epoll_ctl" };
        LastError.Check(Libc.EpollCtl(_epoll.Fd, op, fd, ev), call, fd);
    }
}
