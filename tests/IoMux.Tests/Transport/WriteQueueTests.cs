using IoMux.Transport;

namespace IoMux.Tests.Transport;

public sealed class WriteQueueTests
{
    [Fact]
    public void Passing_the_high_watermark_is_reported_once_and_holds_until_draining_to_the_low_one()
    {
        var queue = new WriteQueue(new SegmentPool(), highWatermark: 1000, lowWatermark: 200);

        Assert.False(queue.Append(new byte[600]));
        Assert.False(queue.Append(new byte[400])); // exactly at the mark is not above it
        Assert.False(queue.IsOverHighWatermark);
        Assert.True(queue.Append(new byte[1]));
        Assert.True(queue.IsOverHighWatermark);
        Assert.False(queue.Append(new byte[5000])); // already over: no second report

        Assert.False(queue.Consume(5000)); // 1001 left: still over
        Assert.False(queue.Consume(700)); // 301 left: below high but above low, hysteresis holds
        Assert.True(queue.IsOverHighWatermark);
        Assert.True(queue.Consume(101)); // 200 left: at the low mark
        Assert.False(queue.IsOverHighWatermark);
        Assert.False(queue.Consume(200));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Gather_describes_the_queued_bytes_in_order_across_segments_after_partial_consumes()
    {
        var queue = new WriteQueue(new SegmentPool(), highWatermark: 1 << 20, lowWatermark: 0);
        byte[] data = new byte[(SegmentPool.SegmentSize * 3) + 123];
        new Random(7).NextBytes(data);
        queue.Append(data.AsSpan(0, 1000));
        queue.Append(data.AsSpan(1000));
        queue.Consume(SegmentPool.SegmentSize + 17);

        var segments = new ArraySegment<byte>[8];
        int count = queue.Gather(segments, out int bytes);

        Assert.Equal(data.Length - SegmentPool.SegmentSize - 17, bytes);
        Assert.Equal(bytes, queue.Length);
        byte[] joined = segments.Take(count).SelectMany(s => s).ToArray();
        Assert.Equal(data.AsSpan(SegmentPool.SegmentSize + 17).ToArray(), joined);
    }

    [Fact]
    public void Gather_stops_at_the_span_given_and_the_rest_follows_in_order()
    {
        var queue = new WriteQueue(new SegmentPool(), highWatermark: 1 << 20, lowWatermark: 0);
        byte[] data = new byte[SegmentPool.SegmentSize * 5];
        new Random(3).NextBytes(data);
        queue.Append(data);
        var output = new List<byte>();
        var segments = new ArraySegment<byte>[2];
        while (!queue.IsEmpty)
        {
            int count = queue.Gather(segments, out int bytes);
            Assert.InRange(count, 1, 2);
            int take = Math.Min(bytes, 10_000); // a partial write, as the kernel may do
            output.AddRange(segments.Take(count).SelectMany(s => s).Take(take));
            queue.Consume(take);
        }
        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public void Draining_and_clearing_return_every_segment_to_the_pool()
    {
        var pool = new SegmentPool(maxRetained: 64);
        var queue = new WriteQueue(pool, highWatermark: 1 << 20, lowWatermark: 0);
        queue.Append(new byte[SegmentPool.SegmentSize * 4]);
        Assert.Equal(4, queue.SegmentCount);
        queue.Consume(SegmentPool.SegmentSize * 2);
        Assert.Equal(2, pool.Retained);
        queue.Clear();
        Assert.Equal(4, pool.Retained);
        Assert.Equal(0, queue.SegmentCount);
        Assert.Equal(0, queue.Length);

        queue.Append(new byte[10]); // reuses a pooled segment
        Assert.Equal(3, pool.Retained);
    }

    [Fact]
    public void Lent_bytes_go_out_in_order_with_copied_ones_and_back_to_their_lender_once_sent_or_cleared()
    {
        var pool = new SegmentPool(maxRetained: 64);
        var queue = new WriteQueue(pool, highWatermark: 100, lowWatermark: 10);
        var lender = new Lender();
        byte[] lentMemory = [.. Enumerable.Range(0, 200).Select(i => (byte)i)];

        Assert.False(queue.Append([250, 251]));
        Assert.False(queue.AppendLent(new ArraySegment<byte>(lentMemory, 10, 50), lender, token: 7));
        Assert.True(queue.AppendLent(new ArraySegment<byte>(lentMemory, 100, 60), lender, token: 8)); // 112 passes 100
        Assert.False(queue.Append([252])); // a lent tail is never written into: a pooled segment follows it
        Assert.Equal(4, queue.SegmentCount);
        Assert.Equal(2, queue.LentCount);
        Assert.Equal(113, queue.Length);

        var segments = new ArraySegment<byte>[8];
        int count = queue.Gather(segments, out int bytes);
        Assert.Equal(113, bytes);
        byte[] expected = [250, 251, .. lentMemory.AsSpan(10, 50), .. lentMemory.AsSpan(100, 60), 252];
        Assert.Equal(expected, segments.Take(count).SelectMany(s => s).ToArray());
        Assert.Same(lentMemory, segments[1].Array); // by reference, not a copy

        queue.Consume(2 + 49);
        Assert.Empty(lender.GivenBack); // one byte of the first lent piece is still queued
        queue.Consume(1);
        Assert.Equal([7], lender.GivenBack);
        Assert.Equal(1, queue.LentCount);

        queue.Clear();
        Assert.Equal([7, 8], lender.GivenBack);
        Assert.Equal(0, queue.LentCount);
        Assert.Equal(2, pool.Retained); // the two copied pieces' segments
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 100)]
    [InlineData(100, -1)]
    public void Watermarks_that_cannot_work_are_refused(int high, int low)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WriteQueue(new SegmentPool(), high, low));
    }

    private sealed class Lender : IBufferLender
    {
        public List<int> GivenBack { get; } = [];

        public void GiveBack(int token) => GivenBack.Add(token);
    }
}
