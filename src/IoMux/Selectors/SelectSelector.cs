using IoMux.Native;

namespace IoMux;

/// <summary>
/// select(2): three bitmaps of FD_SETSIZE (1024) bits, rebuilt and scanned on every wait, O(highest fd).
/// Descriptors ≥ 1024 are refused. Level and one-shot (emulated). select has no hang-up bit: ReadHangup
/// is learned by asking the kernel for POLLRDHUP on a readable descriptor (non-destructively), and a closed descriptor (EBADF) is reported Invalid.
/// </summary>
public sealed class SelectSelector : Selector
{
    private FdSet _read;
    private FdSet _write;
    private FdSet _except;
    private int _highest = -1;
    private bool _stale = true;
    private int _scanFrom;

    internal SelectSelector()
    {
        if (WakeFd >= Constants.FD_SETSIZE)
        {
            Dispose();
            throw new FdSetSizeExceededException(WakeFd);
        }
    }

    /// <inheritdoc/>
    public override SelectorBackend Backend => SelectorBackend.Select;

    /// <inheritdoc/>
    public override bool Supports(Trigger trigger) => trigger != Trigger.Edge;

    private protected override void ValidateRegistration(int fd, Interest interest)
    {
        if (fd >= Constants.FD_SETSIZE)
        {
            throw new FdSetSizeExceededException(fd);
        }
        // EOF shows only as readability here: watching for ReadHangup alone would wake on every byte of
        // data and report nothing, spinning until the timeout.
        if ((interest & (Interest.Read | Interest.ReadHangup)) == Interest.ReadHangup)
        {
            throw new NotSupportedException("the select backend can watch ReadHangup only together with Read; add Interest.Read, or use the poll or epoll backend");
        }
    }

    private protected override void AddToKernel(SelectorKey key)
    {
        EnsureOpen(key.Fd);
        _stale = true;
    }

    private protected override void ModifyInKernel(SelectorKey key)
    {
        if (!_stale)
        {
            SetBits(key);
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
        FdSet read = _read, write = _write, except = _except;
        TimeVal tv = new() { Seconds = timeoutMs / 1000, Microseconds = timeoutMs % 1000 * 1000L };
        int ready = Libc.Select(_highest + 1, &read, &write, &except, timeoutMs < 0 ? null : &tv);
        if (ready < 0)
        {
            Errno errno = LastError.Get();
            return errno switch
            {
                Errno.EINTR => -1,
                Errno.EBADF => ReportClosed(events),
                _ => throw new SyscallException("select", errno, -1),
            };
        }
        if (ready == 0)
        {
            return 0;
        }
        if (read.Contains(WakeFd))
        {
            DrainWake();
            woken = true;
        }

        ReadOnlySpan<SelectorKey> keys = Table.Keys;
        int count = 0, lastDelivered = -1;
        for (int n = 0; n < keys.Length && count < events.Length; n++)
        {
            SelectorKey key = keys[(_scanFrom + n) % keys.Length];
            if (!key.Armed)
            {
                continue;
            }
            Readiness readiness = Readiness.None;
            if (read.Contains(key.Fd))
            {
                readiness |= Readiness.Read;
                if ((key.Interest & Interest.ReadHangup) != 0 && Descriptors.HasReadHangup(key.Fd))
                {
                    readiness |= Readiness.ReadHangup;
                }
            }
            if (write.Contains(key.Fd)) readiness |= Readiness.Write;
            if (except.Contains(key.Fd)) readiness |= Readiness.Priority;
            readiness = Visible(key.Interest, readiness);
            if (readiness != Readiness.None)
            {
                events[count++] = Deliver(key, readiness);
                lastDelivered = n;
            }
        }
        // Start the next scan just past the last descriptor delivered, so a small buffer cannot starve the rest.
        _scanFrom = keys.Length == 0 ? 0 : (_scanFrom + lastDelivered + 1) % keys.Length;
        return count;
    }

    private void Rebuild()
    {
        _read.Clear();
        _write.Clear();
        _except.Clear();
        _read.Add(WakeFd);
        _highest = WakeFd;
        foreach (SelectorKey key in Table.Keys)
        {
            SetBits(key);
        }
        _stale = false;
    }

    /// <summary>Makes the master sets say what <paramref name="key"/> asks for now (nothing while disarmed).</summary>
    private void SetBits(SelectorKey key)
    {
        KernelChanges++;
        _read.Remove(key.Fd);
        _write.Remove(key.Fd);
        _except.Remove(key.Fd);
        if (!key.Armed)
        {
            return;
        }
        // EOF is only visible as readability, so ReadHangup needs the read bit too.
        if ((key.Interest & (Interest.Read | Interest.ReadHangup)) != 0) _read.Add(key.Fd);
        if ((key.Interest & Interest.Write) != 0) _write.Add(key.Fd);
        if ((key.Interest & Interest.Priority) != 0) _except.Add(key.Fd);
        _highest = Math.Max(_highest, key.Fd);
    }

    /// <summary>select fails the whole call with EBADF when one descriptor was closed: find it and say so.</summary>
    private int ReportClosed(Span<SelectorEvent> events)
    {
        int count = 0;
        foreach (SelectorKey key in Table.Keys)
        {
            if (count < events.Length && key.Armed && !Descriptors.IsOpen(key.Fd))
            {
                events[count++] = Deliver(key, Readiness.Invalid);
            }
        }
        return count > 0 ? count : throw new SyscallException("select", Errno.EBADF, -1);
    }

    private SelectorEvent Deliver(SelectorKey key, Readiness readiness)
    {
        if (key.Trigger == Trigger.OneShot)
        {
            key.Armed = false;
            SetBits(key);
        }
        return Event(key, readiness);
    }
}
