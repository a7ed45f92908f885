using System.Runtime.InteropServices;
using static IoMux.Native.IoUringOps;

namespace IoMux.Native;

/// <summary>
/// The submission entries of the completion model's socket requests, built in one place so that nothing
/// above Native names an opcode, a flag or a <c>msghdr</c>. Sends never raise SIGPIPE (MSG_NOSIGNAL).
/// </summary>
internal static unsafe class IoUringRequests
{
    /// <summary>
    /// A receive that takes a buffer from provided-buffer group <paramref name="group"/> when data arrives. The
    /// length is the buffer size: Linux 5.19 reads a zero length with buffer select as "read nothing" (EOF to us);
    /// only 6.0 learned to take the buffer's own length.
    /// </summary>
    public static IoUringSqe Receive(int fd, ushort group, int bufferSize) => new()
    {
        Opcode = IORING_OP_RECV,
        Flags = IOSQE_BUFFER_SELECT,
        Fd = fd,
        Length = (uint)bufferSize,
        BufferGroup = group,
    };

    /// <summary>
    /// A multishot receive (a completion per buffer filled, with F_MORE while it stays armed) that ends by itself once
    /// it delivered <paramref name="limit"/> bytes (the kernel's <c>optlen</c> limit, Linux 6.17; the buffer that
    /// reaches the limit may pass it by less than one buffer). Older kernels refuse it with EINVAL.
    /// </summary>
    public static IoUringSqe ReceiveMultishot(int fd, ushort group, int bufferSize, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        IoUringSqe sqe = Receive(fd, group, bufferSize);
        sqe.IoPriority = IORING_RECV_MULTISHOT;
        sqe.OptionLength = (uint)limit;
        return sqe;
    }

    /// <summary>send(2) of one pinned segment.</summary>
    public static IoUringSqe Send(int fd, ArraySegment<byte> segment) => new()
    {
        Opcode = IORING_OP_SEND,
        Fd = fd,
        Address = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset),
        Length = (uint)segment.Count,
        PollEvents = (uint)Constants.MSG_NOSIGNAL,
    };

    /// <summary>sendmsg(2) of the segments <paramref name="vector"/> was filled with.</summary>
    public static IoUringSqe SendMessage(int fd, GatherVector vector) => new()
    {
        Opcode = IORING_OP_SENDMSG,
        Fd = fd,
        Address = (ulong)vector.Header,
        Length = 1,
        PollEvents = (uint)Constants.MSG_NOSIGNAL,
    };

    /// <summary>connect(2) to the address at <paramref name="address"/>, which must stay in place until the request completes.</summary>
    public static IoUringSqe Connect(int fd, byte* address, uint length) => new()
    {
        Opcode = IORING_OP_CONNECT,
        Fd = fd,
        Address = (ulong)address,
        Offset = length,
    };

    /// <summary>Asks the kernel to cancel the request whose user_data is <paramref name="target"/>; it then completes (-ECANCELED if it was still waiting).</summary>
    public static IoUringSqe Cancel(ulong target, ulong userData) => new()
    {
        Opcode = IORING_OP_ASYNC_CANCEL,
        Fd = -1,
        Address = target,
        UserData = userData,
    };
}

/// <summary>
/// A <c>msghdr</c> and its iovecs in native memory, for a sendmsg request: the kernel reads them until the
/// request completes, so the owner refills or frees it only after that. The segments it points at must be
/// pinned (write-queue segments live on the pinned object heap).
/// </summary>
internal sealed unsafe class GatherVector : IDisposable
{
    private static long s_live;
    private MessageHeader* _header;

    public GatherVector(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _header = (MessageHeader*)NativeMemory.AllocZeroed((nuint)(sizeof(MessageHeader) + (capacity * sizeof(IoVec))));
        Interlocked.Increment(ref s_live);
    }

    /// <summary>Vectors allocated and not yet freed, process-wide: what a leak check counts.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    public int Capacity { get; }

    public MessageHeader* Header => _header;

    /// <summary>Points the header at <paramref name="segments"/> (at most <see cref="Capacity"/>).</summary>
    public void Fill(ReadOnlySpan<ArraySegment<byte>> segments)
    {
        ObjectDisposedException.ThrowIf(_header is null, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segments.Length, Capacity);
        IoVec* iov = (IoVec*)(_header + 1);
        for (int i = 0; i < segments.Length; i++)
        {
            iov[i].Base = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(segments[i].Array!, segments[i].Offset);
            iov[i].Length = (nuint)segments[i].Count;
        }
        _header->Iov = iov;
        _header->IovLength = (nuint)segments.Length;
    }

    public void Dispose()
    {
        if (_header is not null)
        {
            NativeMemory.Free(_header);
            _header = null;
            Interlocked.Decrement(ref s_live);
        }
    }
}
