using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// Datagrams waiting for the kernel, bounded twice: at most <see cref="Capacity"/> datagrams and
/// <see cref="ByteCapacity"/> payload bytes. Payloads are copied into one pinned ring of bytes, each contiguous
/// (one that does not fit before the end starts again at the front), and addresses into a pinned ring of entries,
/// so a send call can point the kernel at both without copying again. Allocates nothing after construction.
/// </summary>
internal sealed unsafe class SendQueue
{
    private readonly byte[] _bytes;
    private readonly byte* _base;
    private readonly Entry[] _entries;
    private readonly Entry* _entryBase;
    private int _first;
    private int _tail;
    private bool _wrapped;

    public SendQueue(int capacity, int byteCapacity)
    {
        Capacity = capacity;
        ByteCapacity = byteCapacity;
        _bytes = GC.AllocateUninitializedArray<byte>(byteCapacity, pinned: true);
        _base = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_bytes, 0);
        _entries = GC.AllocateArray<Entry>(capacity, pinned: true);
        _entryBase = (Entry*)Marshal.UnsafeAddrOfPinnedArrayElement(_entries, 0);
    }

    public int Capacity { get; }

    public int ByteCapacity { get; }

    public int Count { get; private set; }

    /// <summary>Payload bytes queued.</summary>
    public int Bytes { get; private set; }

    public bool IsEmpty => Count == 0;

    /// <summary>Copies <paramref name="payload"/> in, for <paramref name="address"/> (null: the connected peer); false when either bound would be passed.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> payload, SocketAddressBytes* address)
    {
        if (Count == Capacity || !TryPlace(payload.Length, out int offset))
        {
            return false;
        }
        payload.CopyTo(new Span<byte>(_base + offset, payload.Length));
        ref Entry entry = ref _entries[(_first + Count) % Capacity];
        entry.Offset = offset;
        entry.Length = payload.Length;
        entry.HasAddress = address is not null;
        if (address is not null)
        {
            entry.Address = *address;
        }
        _tail = offset + payload.Length;
        Count++;
        Bytes += payload.Length;
        return true;
    }

    /// <summary>The <paramref name="index"/>th queued datagram (0: the oldest): its payload, length and address (null: the connected peer). Valid until it is removed.</summary>
    public byte* Peek(int index, out int length, out SocketAddressBytes* address)
    {
        Entry* entry = _entryBase + ((_first + index) % Capacity);
        length = entry->Length;
        address = entry->HasAddress ? &entry->Address : null;
        return _base + entry->Offset;
    }

    /// <summary>Forgets the oldest <paramref name="count"/> datagrams (sent, or given up on).</summary>
    public void Remove(int count)
    {
        for (int i = 0; i < count; i++)
        {
            int previous = _entries[_first].Offset;
            Bytes -= _entries[_first].Length;
            _first = (_first + 1) % Capacity;
            Count--;
            // The oldest entry now starting before the one removed means the bytes no longer wrap.
            if (Count > 0 && _entries[_first].Offset < previous)
            {
                _wrapped = false;
            }
        }
        if (Count == 0)
        {
            _first = 0;
            _tail = 0;
            _wrapped = false;
        }
    }

    /// <summary>Where <paramref name="length"/> contiguous bytes fit: after the newest datagram, or at the front once the oldest has moved on.</summary>
    private bool TryPlace(int length, out int offset)
    {
        int head = Count == 0 ? 0 : _entries[_first].Offset;
        if (Count == 0)
        {
            offset = 0;
            return length <= ByteCapacity;
        }
        if (!_wrapped)
        {
            if (ByteCapacity - _tail >= length)
            {
                offset = _tail;
                return true;
            }
            if (head >= length)
            {
                offset = 0;
                _wrapped = true;
                return true;
            }
            offset = 0;
            return false;
        }
        offset = _tail;
        return head - _tail >= length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public SocketAddressBytes Address;
        public int Offset;
        public int Length;
        public bool HasAddress;
    }
}
