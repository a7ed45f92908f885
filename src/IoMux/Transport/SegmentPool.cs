namespace IoMux.Transport;

/// <summary>
/// Fixed-size byte segments for write queues, on the pinned object heap so writev can be handed their
/// addresses. One pool per event loop (no locks); it keeps at most <see cref="MaxRetained"/> free
/// segments, so memory returns to the GC after a burst instead of staying at its peak.
/// </summary>
internal sealed class SegmentPool
{
    public const int SegmentSize = 16 * 1024;

    private readonly byte[]?[] _free;
    private int _count;

    public SegmentPool(int maxRetained = 256) => _free = new byte[]?[maxRetained];

    public int MaxRetained => _free.Length;

    /// <summary>Free segments held for reuse.</summary>
    public int Retained => _count;

    public byte[] Rent()
    {
        if (_count > 0)
        {
            byte[] segment = _free[--_count]!;
            _free[_count] = null;
            return segment;
        }
        return GC.AllocateUninitializedArray<byte>(SegmentSize, pinned: true);
    }

    public void Return(byte[] segment)
    {
        if (_count < _free.Length)
        {
            _free[_count++] = segment;
        }
    }
}
