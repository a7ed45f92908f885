using IoMux.Native;
using static IoMux.Native.Constants;

namespace IoMux;

/// <summary>
/// poll(2): the whole interest list is handed to the kernel on every wait, O(registered). No descriptor
/// limit. Level and one-shot (emulated: a delivered one-shot entry is left out until re-armed).
/// </summary>
public sealed class PollSelector : Selector
{
    private PollFd[] _fds = new PollFd[16];
    private SelectorKey?[] _keys = new SelectorKey?[16];
    private int _count;
    private bool _stale = true;
    private int _scanFrom;

    internal PollSelector()
    {
    }

    /// <inheritdoc/>
    public override SelectorBackend Backend => SelectorBackend.Poll;

    /// <inheritdoc/>
    public override bool Supports(Trigger trigger) => trigger != Trigger.Edge;

    private protected override void AddToKernel(SelectorKey key)
    {
        EnsureOpen(key.Fd);
        _stale = true;
    }

    private protected override void ModifyInKernel(SelectorKey key)
    {
        // The array mirrors the dense table (slot i at index i + 1) until a registration is added or removed,
        // so a change of interest or a one-shot re-arm updates its one entry instead of rebuilding them all.
        if (!_stale)
        {
            _fds[key.Slot + 1] = new PollFd { Fd = key.Armed ? key.Fd : -1, Events = EventsFor(key.Interest) };
            KernelChanges++;
        }
    }

    private protected override void RemoveFromKernel(SelectorKey key) => _stale = true;

    private protected override unsafe int WaitInKernel(Span<SelectorEvent> events, int timeoutMs, out bool woken)
    {
        woken = false;
        if (_stale)
        {
            Rebuild();
        }
        int ready;
        fixed (PollFd* p = _fds)
        {
            ready = Libc.Poll(p, (nuint)_count, timeoutMs);
        }
        if (ready < 0)
        {
            Errno errno = LastError.Get();
            return errno == Errno.EINTR ? -1 : throw new SyscallException("poll", errno, -1);
        }
        if (ready == 0)
        {
            return 0;
        }
        if (_fds[0].REvents != 0)
        {
            DrainWake();
            woken = true;
        }

        // Scan from just past the last descriptor delivered, so a small event buffer cannot starve the rest.
        int registered = _count - 1;
        int count = 0, lastDelivered = -1;
        for (int n = 0; n < registered && count < events.Length; n++)
        {
            int i = 1 + ((_scanFrom + n) % registered);
            short revents = _fds[i].REvents;
            if (revents == 0)
            {
                continue;
            }
            SelectorKey key = _keys[i]!;
            Readiness readiness = Visible(key.Interest, ToReadiness(revents));
            if (readiness == Readiness.None)
            {
                continue;
            }
            if (key.Trigger == Trigger.OneShot)
            {
                key.Armed = false;
                _fds[i].Fd = -1; // poll ignores negative descriptors
                KernelChanges++;
            }
            events[count++] = Event(key, readiness);
            lastDelivered = n;
        }
        _scanFrom = registered == 0 ? 0 : (_scanFrom + lastDelivered + 1) % registered;
        return count;
    }

    private void Rebuild()
    {
        ReadOnlySpan<SelectorKey> keys = Table.Keys;
        int needed = keys.Length + 1;
        if (_fds.Length < needed)
        {
            int size = Math.Max(needed, _fds.Length * 2);
            _fds = new PollFd[size];
            _keys = new SelectorKey?[size];
        }
        _fds[0] = new PollFd { Fd = WakeFd, Events = POLLIN };
        for (int i = 0; i < keys.Length; i++)
        {
            SelectorKey key = keys[i];
            _fds[i + 1] = new PollFd { Fd = key.Armed ? key.Fd : -1, Events = EventsFor(key.Interest) };
            _keys[i + 1] = key;
        }
        Array.Clear(_keys, needed, _count > needed ? _count - needed : 0);
        _count = needed;
        _stale = false;
        KernelChanges++;
    }

    private static short EventsFor(Interest interest)
    {
        int events = 0;
        if ((interest & Interest.Read) != 0) events |= POLLIN;
        if ((interest & Interest.Write) != 0) events |= POLLOUT;
        if ((interest & Interest.Priority) != 0) events |= POLLPRI;
        if ((interest & Interest.ReadHangup) != 0) events |= POLLRDHUP;
        return (short)events;
    }

    private static Readiness ToReadiness(short revents)
    {
        Readiness r = Readiness.None;
        if ((revents & POLLIN) != 0) r |= Readiness.Read;
        if ((revents & POLLOUT) != 0) r |= Readiness.Write;
        if ((revents & POLLPRI) != 0) r |= Readiness.Priority;
        if ((revents & POLLRDHUP) != 0) r |= Readiness.ReadHangup;
        if ((revents & POLLHUP) != 0) r |= Readiness.Hangup;
        if ((revents & POLLERR) != 0) r |= Readiness.Error;
        if ((revents & POLLNVAL) != 0) r |= Readiness.Invalid;
        return r;
    }
}
