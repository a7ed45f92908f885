using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary><c>struct pollfd</c>: 8 bytes on every Linux ABI.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short REvents;
}

/// <summary><c>struct timeval</c> on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeVal
{
    public long Seconds;
    public long Microseconds;
}

/// <summary><c>struct iovec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public byte* Base;
    public nuint Length;
}

/// <summary><c>struct rlimit</c> on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RLimit
{
    public ulong Current;
    public ulong Maximum;
}

/// <summary><c>fd_set</c>: FD_SETSIZE (1024) bits as 16 longs, the glibc layout.</summary>
[InlineArray(Constants.FD_SETSIZE / 64)]
internal struct FdSet
{
    private ulong _word;

    public void Add(int fd) => this[fd >> 6] |= 1UL << (fd & 63);

    public void Remove(int fd) => this[fd >> 6] &= ~(1UL << (fd & 63));

    public readonly bool Contains(int fd) => (this[fd >> 6] & (1UL << (fd & 63))) != 0;

    public void Clear() => ((Span<ulong>)this).Clear();
}

/// <summary>
/// <c>struct epoll_event</c> differs by architecture: glibc declares it packed on x86-64
/// (12 bytes, data at offset 4) and naturally aligned elsewhere (16 bytes, data at offset 8).
/// Rather than two struct types, events are read from a byte buffer with the right stride.
/// </summary>
internal static class EpollEventLayout
{
    public static readonly int Size = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    public static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static void Write(Span<byte> destination, uint events, ulong data)
    {
        destination[..Size].Clear();
        Unsafe.WriteUnaligned(ref destination[0], events);
        Unsafe.WriteUnaligned(ref destination[DataOffset], data);
    }

    public static uint ReadEvents(ReadOnlySpan<byte> buffer, int index) =>
        Unsafe.ReadUnaligned<uint>(ref Unsafe.AsRef(in buffer[index * Size]));

    public static ulong ReadData(ReadOnlySpan<byte> buffer, int index) =>
        Unsafe.ReadUnaligned<ulong>(ref Unsafe.AsRef(in buffer[(index * Size) + DataOffset]));
}
