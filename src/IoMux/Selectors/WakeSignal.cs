using IoMux.Native;

namespace IoMux;

/// <summary>
/// The descriptor a selector watches so another thread can end its wait: an eventfd, or a pipe
/// where eventfd is missing. Signals coalesce: while one is pending, further ones cost no system call.
/// </summary>
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
            (FileDescriptor read, FileDescriptor write) = Descriptors.Pipe(nonBlocking: true);
            return new WakeSignal(read, write);
        }
    }

    /// <summary>The descriptor to watch for readability.</summary>
    public int Fd => _read.Fd;

    public void Signal()
    {
        if (Interlocked.Exchange(ref _pending, 1) != 0)
        {
            return;
        }
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

    /// <summary>Consumes pending signals; called by the waiting thread when <see cref="Fd"/> is readable.</summary>
    public void Drain()
    {
        // Clear first: a Signal racing with the drain then writes again and the next wait returns at once.
        Volatile.Write(ref _pending, 0);
        Span<byte> sink = stackalloc byte[64];
        while (Descriptors.Read(_read.Fd, sink, out _) > 0 && _write is not null)
        {
        }
    }

    public void Dispose()
    {
        _read.Dispose();
        _write?.Dispose();
    }
}
