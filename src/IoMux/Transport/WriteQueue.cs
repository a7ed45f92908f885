namespace IoMux.Transport;

/// <summary>
/// The bytes a connection could not send yet: a ring of pooled, pinned segments, drained with one
/// writev per batch. Its watermarks give backpressure with hysteresis — the queue is
/// <see cref="IsOverHighWatermark"/> from the append that takes it above the high mark until the
/// send that brings it down to the low mark — so a reader is paused and resumed once per swing,
/// not on every byte around a single threshold.
/// </summary>
internal sealed class WriteQueue
{
    private readonly SegmentPool _pool;
    private byte[]?[] _ring = new byte[]?[4];
    private int _head;
    private int _count;
    private int _headOffset;
    private int _tailFill;

    public WriteQueue(SegmentPool pool, int highWatermark, int lowWatermark)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(highWatermark, 1);
        if (lowWatermark < 0 || lowWatermark >= highWatermark)
        {
            throw new ArgumentOutOfRangeException(nameof(lowWatermark), lowWatermark, $"the low watermark must be at least 0 and below the high watermark ({highWatermark})");
        }
        _pool = pool;
        HighWatermark = highWatermark;
        LowWatermark = lowWatermark;
    }

    public int HighWatermark { get; }

    public int LowWatermark { get; }

    /// <summary>Queued bytes.</summary>
    public int Length { get; private set; }

    public bool IsEmpty => Length == 0;

    /// <summary>Segments held (each <see cref="SegmentPool.SegmentSize"/> bytes).</summary>
    public int SegmentCount => _count;

    /// <summary>True from passing the high watermark until draining to the low one.</summary>
    public bool IsOverHighWatermark { get; private set; }

    /// <summary>Copies <paramref name="data"/> to the tail. Returns true when this append passed the high watermark.</summary>
    public bool Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_count == 0 || _tailFill == SegmentPool.SegmentSize)
            {
                PushSegment(_pool.Rent());
            }
            byte[] tail = _ring[(_head + _count - 1) & (_ring.Length - 1)]!;
            int n = Math.Min(data.Length, tail.Length - _tailFill);
            data[..n].CopyTo(tail.AsSpan(_tailFill));
            _tailFill += n;
            Length += n;
            data = data[n..];
        }
        if (!IsOverHighWatermark && Length > HighWatermark)
        {
            IsOverHighWatermark = true;
            return true;
        }
        return false;
    }

    /// <summary>Describes the queued bytes, oldest first, as at most <c>into.Length</c> segments; returns how many and their total.</summary>
    public int Gather(Span<ArraySegment<byte>> into, out int bytes)
    {
        int n = Math.Min(into.Length, _count);
        bytes = 0;
        for (int i = 0; i < n; i++)
        {
            byte[] segment = _ring[(_head + i) & (_ring.Length - 1)]!;
            int start = i == 0 ? _headOffset : 0;
            int end = i == _count - 1 ? _tailFill : segment.Length;
            into[i] = new ArraySegment<byte>(segment, start, end - start);
            bytes += end - start;
        }
        return n;
    }

    /// <summary>Drops <paramref name="bytes"/> sent bytes from the head. Returns true when this brought the queue down to the low watermark from above the high one.</summary>
    public bool Consume(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Length);
        Length -= bytes;
        while (bytes > 0)
        {
            byte[] first = _ring[_head]!;
            int end = _count == 1 ? _tailFill : first.Length;
            int available = end - _headOffset;
            if (bytes < available)
            {
                _headOffset += bytes;
                break;
            }
            bytes -= available;
            PopSegment();
        }
        if (IsOverHighWatermark && Length <= LowWatermark)
        {
            IsOverHighWatermark = false;
            return true;
        }
        return false;
    }

    /// <summary>Drops everything and returns every segment to the pool.</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            PopSegment();
        }
        Length = 0;
        IsOverHighWatermark = false;
    }

    private void PushSegment(byte[] segment)
    {
        if (_count == _ring.Length)
        {
            var larger = new byte[]?[_ring.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                larger[i] = _ring[(_head + i) & (_ring.Length - 1)];
            }
            _ring = larger;
            _head = 0;
        }
        _ring[(_head + _count) & (_ring.Length - 1)] = segment;
        _count++;
        _tailFill = 0;
    }

    private void PopSegment()
    {
        _pool.Return(_ring[_head]!);
        _ring[_head] = null;
        _head = (_head + 1) & (_ring.Length - 1);
        _count--;
        _headOffset = 0;
        if (_count == 0)
        {
            _head = 0;
            _tailFill = 0;
        }
    }
}
