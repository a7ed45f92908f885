using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>The datagram calls: one message to an address, and batches of messages in one system call.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(C, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport(C, EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMmsg(int fd, MultiMessageHeader* messages, uint count, int flags, void* timeout);

    [LibraryImport(C, EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMmsg(int fd, MultiMessageHeader* messages, uint count, int flags);
}
