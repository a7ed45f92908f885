using System.Diagnostics;

namespace IoMux;

/// <summary>
/// A binary min-heap of timers ordered by (deadline, scheduling order), with each timer knowing its
/// index so cancellation is O(log n) rather than a lazy tombstone that idle connections would pile up.
/// </summary>
internal sealed class TimerHeap
{
    private LoopTimer[] _items = new LoopTimer[16];

    public int Count { get; private set; }

    public LoopTimer? Peek() => Count > 0 ? _items[0] : null;

    public void Add(LoopTimer timer)
    {
        Debug.Assert(timer.HeapIndex < 0);
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        _items[Count] = timer;
        timer.HeapIndex = Count;
        Count++;
        SiftUp(timer.HeapIndex);
    }

    public void Remove(LoopTimer timer)
    {
        int index = timer.HeapIndex;
        Debug.Assert(index >= 0 && ReferenceEquals(_items[index], timer));
        Count--;
        LoopTimer last = _items[Count];
        _items[Count] = null!;
        timer.HeapIndex = -1;
        if (index == Count)
        {
            return;
        }
        _items[index] = last;
        last.HeapIndex = index;
        SiftDown(index);
        SiftUp(last.HeapIndex);
    }

    private static bool Before(LoopTimer a, LoopTimer b) =>
        a.Due < b.Due || (a.Due == b.Due && a.Sequence < b.Sequence);

    private void SiftUp(int index)
    {
        LoopTimer item = _items[index];
        while (index > 0)
        {
            int parent = (index - 1) / 2;
            if (!Before(item, _items[parent]))
            {
                break;
            }
            Place(_items[parent], index);
            index = parent;
        }
        Place(item, index);
    }

    private void SiftDown(int index)
    {
        LoopTimer item = _items[index];
        while (true)
        {
            int child = (2 * index) + 1;
            if (child >= Count)
            {
                break;
            }
            if (child + 1 < Count && Before(_items[child + 1], _items[child]))
            {
                child++;
            }
            if (!Before(_items[child], item))
            {
                break;
            }
            Place(_items[child], index);
            index = child;
        }
        Place(item, index);
    }

    private void Place(LoopTimer timer, int index)
    {
        _items[index] = timer;
        timer.HeapIndex = index;
    }
}
