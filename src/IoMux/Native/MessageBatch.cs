using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>
/// The native memory of one recvmmsg / sendmmsg call, reused for every call: <see cref="Capacity"/> message
/// headers, one iovec and one address slot each, and, for receiving, one payload slot of
/// <see cref="SlotSize"/> bytes each. Pages of payload slots the kernel never writes are never committed,
/// so a batch sized for 64 KiB datagrams costs little when only small ones arrive.
/// </summary>
internal sealed unsafe class MessageBatch : IDisposable
{
    private static long s_live;
    private MultiMessageHeader* _messages;
    private IoVec* _vectors;
    private SocketAddressBytes* _addresses;
    private byte* _payloads;

    /// <param name="capacity">Messages per call.</param>
    /// <param name="slotSize">Bytes of each receive slot; 0 for a batch that only sends (its iovecs point at the caller's bytes).</param>
    public MessageBatch(int capacity, int slotSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(slotSize);
        Capacity = capacity;
        SlotSize = slotSize;
        _messages = (MultiMessageHeader*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(MultiMessageHeader));
        _vectors = (IoVec*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(IoVec));
        _addresses = (SocketAddressBytes*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(SocketAddressBytes));
        _payloads = slotSize > 0 ? (byte*)NativeMemory.Alloc((nuint)capacity, (nuint)slotSize) : null;
        for (int i = 0; i < capacity; i++)
        {
            _messages[i].Header.Iov = _vectors + i;
            _messages[i].Header.IovLength = 1;
            _messages[i].Header.Name = _addresses + i;
            if (slotSize > 0)
            {
                _vectors[i].Base = _payloads + ((long)i * slotSize);
                _vectors[i].Length = (nuint)slotSize;
            }
        }
        Interlocked.Increment(ref s_live);
    }

    /// <summary>Batches allocated and not yet freed, process-wide: what a leak check counts.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    public int Capacity { get; }

    public int SlotSize { get; }

    public MultiMessageHeader* Messages => _messages;

    /// <summary>Message <paramref name="index"/>'s header, for a request that takes one <c>msghdr</c>.</summary>
    public MessageHeader* Header(int index) => &_messages[index].Header;

    /// <summary>Readies the first <paramref name="count"/> messages to receive: each address slot is offered whole, flags cleared.</summary>
    public void PrepareReceive(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _messages[i].Header.NameLength = SocketAddressBytes.Size;
            _messages[i].Header.Flags = 0;
            _messages[i].Length = 0;
        }
    }

    /// <summary>Message <paramref name="index"/> sends <paramref name="length"/> bytes at <paramref name="payload"/> to <paramref name="address"/> (null: the connected peer).</summary>
    public void PrepareSend(int index, byte* payload, int length, SocketAddressBytes* address)
    {
        _vectors[index].Base = payload;
        _vectors[index].Length = (nuint)length;
        if (address is null)
        {
            _messages[index].Header.Name = null;
            _messages[index].Header.NameLength = 0;
        }
        else
        {
            _addresses[index] = *address;
            _messages[index].Header.Name = _addresses + index;
            _messages[index].Header.NameLength = address->Length;
        }
        _messages[index].Header.Flags = 0;
        _messages[index].Length = 0;
    }

    /// <summary>What the kernel put in message <paramref name="index"/>: the payload it copied, the message flags and the source address.</summary>
    public ReadOnlySpan<byte> Received(int index, out int length, out int flags, out SocketAddressBytes* source)
    {
        length = (int)_messages[index].Length;
        flags = _messages[index].Header.Flags;
        source = _addresses + index;
        return new ReadOnlySpan<byte>(_payloads + ((long)index * SlotSize), Math.Min(length, SlotSize));
    }

    public void Dispose()
    {
        if (_messages is null)
        {
            return;
        }
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_payloads);
        _messages = null;
        _vectors = null;
        _addresses = null;
        _payloads = null;
        Interlocked.Decrement(ref s_live);
    }
}
