using IoMux.Native;

namespace IoMux;

/// <summary>
/// The descriptor a selector watches so another thread can end its wait: an eventfd, or a pipe
/// where eventfd is missing. Signals coalesce: while one is pending, further ones cost no system call.
/// </summary>
/// <remarks>
/// The invariant that keeps a wait from sleeping through a signal: whenever <c>_pending</c> is not zero, the
/// descriptor is readable or the signal that made it nonzero is about to make it so. Only the 0 → 1 step of
/// <see cref="Signal"/> writes; <see cref="Drain"/> empties the descriptor first and clears the count only if no
/// signal arrived meanwhile, and otherwise makes the descriptor readable again itself, so that signal wakes the
/// next wait. A signal then costs at most one spurious wake-up, never a lost one.
/// </remarks>
internal sealed class WakeSignal : IDisposable
{
    private readonly FileDescriptor _read;
    private readonly FileDescriptor? _write;
    private int _pending;

    private WakeSignal(FileDescriptor read, FileDescriptor? write)
    {
        _read = read;
        _write = write;
    }

    public static WakeSignal Create()
    {
        try
        {
            return new WakeSignal(Descriptors.EventFd(), null);
        }
        catch (SyscallException e) when (e.Errno is Errno.ENOSYS or Errno.EINVAL)
        {
            return CreatePipe();
        }
    }

    /// <summary>The fallback where eventfd is missing: a non-blocking pipe, read end watched, write end signalled.</summary>
    public static WakeSignal CreatePipe()
    {
        (FileDescriptor read, FileDescriptor write) = Descriptors.Pipe(nonBlocking: true);
        return new WakeSignal(read, write);
    }

    /// <summary>The descriptor to watch for readability.</summary>
    public int Fd => _read.Fd;

    public void Signal()
    {
        if (Interlocked.Increment(ref _pending) != 1)
        {
            return; // a signal is pending: its write already made (or is about to make) the descriptor readable
        }
        WriteOne();
    }

    /// <summary>Consumes pending signals; called by the waiting thread when <see cref="Fd"/> is readable.</summary>
    public void Drain()
    {
        int seen = Volatile.Read(ref _pending);
        Span<byte> sink = stackalloc byte[64];
        // An eventfd hands over and resets its whole count in one read; a pipe is read until it is empty.
        while (Descriptors.Read(_read.Fd, sink, out _) > 0 && _write is not null)
        {
        }
        if (Interlocked.CompareExchange(ref _pending, 0, seen) != seen)
        {
            // A signal came after the count was read and wrote nothing, trusting the write it saw pending;
            // that write may be what was just read away. Make the descriptor readable again for it.
            Volatile.Write(ref _pending, 1);
            WriteOne();
        }
    }

    public void Dispose()
    {
        _read.Dispose();
        _write?.Dispose();
    }

    private void WriteOne()
    {
        Span<byte> one = stackalloc byte[8];
        one.Clear();
        one[0] = 1; // eventfd wants a little-endian 8-byte count; a pipe takes any byte
        FileDescriptor target = _write ?? _read;
        // Hold a reference while writing: a Wake racing with Dispose must not write to a reused descriptor number.
        bool added = false;
        try
        {
            target.DangerousAddRef(ref added);
            int n = Descriptors.Write(target.Fd, _write is null ? one : one[..1], out Errno errno);
            // EAGAIN means the counter or pipe is already full: the waiter is woken either way.
            if (n < 0 && errno != Errno.EAGAIN)
            {
                throw new SyscallException("write(wake)", errno, target.Fd);
            }
        }
        finally
        {
            if (added)
            {
                target.DangerousRelease();
            }
        }
    }
}
