using IoMux.Native;

namespace IoMux.Benchmarks;

/// <summary>
/// <c>count</c> eventfds, one descriptor each, of which <c>ready</c> (spread evenly) hold a nonzero counter and
/// so stay readable for every level-triggered wait; the rest never become ready. Registered in each selector
/// under test, they give a wait with exactly <c>ready</c> events among <c>count</c> registrations.
/// </summary>
internal sealed class ReadyDescriptors : IDisposable
{
    private readonly FileDescriptor[] _fds;

    public ReadyDescriptors(int count, int ready)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ready, count);
        Descriptors.RaiseFdLimitToHard();
        _fds = new FileDescriptor[count];
        Span<byte> one = stackalloc byte[8];
        one.Clear();
        one[0] = 1;
        for (int i = 0; i < count; i++)
        {
            _fds[i] = Descriptors.EventFd();
        }
        for (int r = 0; r < ready; r++)
        {
            Descriptors.WriteOrThrow(_fds[(int)((long)r * count / ready)].Fd, one);
        }
    }

    public IEnumerable<int> Fds => _fds.Select(f => f.Fd);

    /// <summary>The highest descriptor number: select(2) can watch it only if it is below 1024.</summary>
    public int Highest => _fds.Max(f => f.Fd);

    public void RegisterAll(Selector selector)
    {
        foreach (FileDescriptor fd in _fds)
        {
            selector.Register(fd.Fd, Interest.Read);
        }
    }

    public void Dispose()
    {
        foreach (FileDescriptor fd in _fds)
        {
            fd.Dispose();
        }
    }
}
