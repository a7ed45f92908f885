using System.Collections;

namespace IoMux;

/// <summary>
/// The registrations of one selector: indexed by descriptor for O(1) lookup, and kept dense
/// (swap-remove) so backends that scan everything (select, poll) walk only live keys.
/// </summary>
internal sealed class RegistrationTable : IReadOnlyCollection<SelectorKey>
{
    private SelectorKey?[] _byFd = new SelectorKey?[64];
    private SelectorKey[] _dense = new SelectorKey[16];
    private int _count;

    public int Count => _count;

    /// <summary>Live keys in no particular order; invalidated by Add and Remove.</summary>
    public ReadOnlySpan<SelectorKey> Keys => _dense.AsSpan(0, _count);

    public SelectorKey? Find(int fd)
    {
        SelectorKey?[] byFd = _byFd; // one load and one bounds check, not a reload after the test
        return (uint)fd < (uint)byFd.Length ? byFd[fd] : null;
    }

    public void Add(SelectorKey key)
    {
        if (key.Fd >= _byFd.Length)
        {
            Array.Resize(ref _byFd, Math.Max(key.Fd + 1, _byFd.Length * 2));
        }
        if (_count == _dense.Length)
        {
            Array.Resize(ref _dense, _dense.Length * 2);
        }
        _byFd[key.Fd] = key;
        key.Slot = _count;
        _dense[_count++] = key;
    }

    public void Remove(SelectorKey key)
    {
        _byFd[key.Fd] = null;
        SelectorKey last = _dense[--_count];
        _dense[key.Slot] = last;
        last.Slot = key.Slot;
        _dense[_count] = null!;
    }

    public void Clear()
    {
        Array.Clear(_byFd);
        Array.Clear(_dense);
        _count = 0;
    }

    public IEnumerator<SelectorKey> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _dense[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
