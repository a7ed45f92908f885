namespace IoMux.Transport;

/// <summary>
/// The bytes a connection could not send yet: a ring of pooled, pinned segments, and pieces of pinned memory
/// held by reference (<see cref="AppendLent"/>), drained with one writev per batch. Its watermarks give
/// backpressure with hysteresis — the queue is <see cref="IsOverHighWatermark"/> from the append that takes it
/// above the high mark until the send that brings it down to the low mark — so a reader is paused and resumed
/// once per swing, not on every byte around a single threshold.
/// </summary>
internal sealed class WriteQueue
{
    private readonly SegmentPool _pool;
    private Entry[] _ring = new Entry[4];
    private int _head;
    private int _count;

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

    /// <summary>Segments held: pooled ones (each <see cref="SegmentPool.SegmentSize"/> bytes) and lent ones.</summary>
    public int SegmentCount => _count;

    /// <summary>Segments held by reference (<see cref="AppendLent"/>) and not yet given back.</summary>
    public int LentCount { get; private set; }

    /// <summary>True from passing the high watermark until draining to the low one.</summary>
    public bool IsOverHighWatermark { get; private set; }

    /// <summary>Copies <paramref name="data"/> to the tail. Returns true when this append passed the high watermark.</summary>
    public bool Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_count == 0 || Tail.Lender is not null || Tail.End == SegmentPool.SegmentSize)
            {
                Push(new Entry { Array = _pool.Rent() });
            }
            ref Entry tail = ref Tail;
            int n = Math.Min(data.Length, tail.Array.Length - tail.End);
            data[..n].CopyTo(tail.Array.AsSpan(tail.End));
            tail.End += n;
            Length += n;
            data = data[n..];
        }
        return PassedHighWatermark();
    }

    /// <summary>
    /// Queues <paramref name="bytes"/> by reference, after what is queued: the memory must stay untouched until the
    /// queue gives it back through <paramref name="lender"/> (with <paramref name="token"/>), once those bytes were
    /// consumed or the queue cleared. Returns true when this append passed the high watermark.
    /// </summary>
    public bool AppendLent(ArraySegment<byte> bytes, IBufferLender lender, int token)
    {
        ArgumentNullException.ThrowIfNull(lender);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes.Count, 1);
        Push(new Entry { Array = bytes.Array!, Start = bytes.Offset, End = bytes.Offset + bytes.Count, Lender = lender, Token = token });
        LentCount++;
        Length += bytes.Count;
        return PassedHighWatermark();
    }

    /// <summary>Describes the queued bytes, oldest first, as at most <c>into.Length</c> segments; returns how many and their total.</summary>
    public int Gather(Span<ArraySegment<byte>> into, out int bytes)
    {
        int n = Math.Min(into.Length, _count);
        bytes = 0;
        for (int i = 0; i < n; i++)
        {
            ref Entry entry = ref _ring[(_head + i) & (_ring.Length - 1)];
            into[i] = new ArraySegment<byte>(entry.Array, entry.Start, entry.End - entry.Start);
            bytes += entry.End - entry.Start;
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
            ref Entry first = ref _ring[_head];
            int available = first.End - first.Start;
            if (bytes < available)
            {
                first.Start += bytes;
                break;
            }
            bytes -= available;
            Pop();
        }
        if (IsOverHighWatermark && Length <= LowWatermark)
        {
            IsOverHighWatermark = false;
            return true;
        }
        return false;
    }

    /// <summary>Drops everything: pooled segments go back to the pool, lent ones to their lenders.</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            Pop();
        }
        Length = 0;
        IsOverHighWatermark = false;
    }

    private ref Entry Tail => ref _ring[(_head + _count - 1) & (_ring.Length - 1)];

    private bool PassedHighWatermark()
    {
        if (!IsOverHighWatermark && Length > HighWatermark)
        {
            IsOverHighWatermark = true;
            return true;
        }
        return false;
    }

    private void Push(Entry entry)
    {
        if (_count == _ring.Length)
        {
            var larger = new Entry[_ring.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                larger[i] = _ring[(_head + i) & (_ring.Length - 1)];
            }
            _ring = larger;
            _head = 0;
        }
        _ring[(_head + _count) & (_ring.Length - 1)] = entry;
        _count++;
    }

    private void Pop()
    {
        Entry entry = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) & (_ring.Length - 1);
        _count--;
        if (_count == 0)
        {
            _head = 0;
        }
        if (entry.Lender is { } lender)
        {
            LentCount--;
            lender.GiveBack(entry.Token);
        }
        else
        {
            _pool.Return(entry.Array);
        }
    }

    /// <summary>Queued bytes <c>[Start, End)</c> of <see cref="Array"/>: a pooled segment filled up to End, or lent memory.</summary>
    private struct Entry
    {
        public byte[] Array;
        public int Start;
        public int End;
        public IBufferLender? Lender;
        public int Token;
    }
}
