using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux.Cli.Interop;

/// <summary>
/// The few raw system calls the demos and the scaling experiment make themselves. They are the subject
/// shown: a demo prints what read(2) returned and its errno, flips O_NONBLOCK with fcntl(2), and counts the
/// syscalls each I/O model makes under strace, and the scaling experiment times selector wakes over bare
/// socketpairs. System.Net.Sockets would hide all of that (its Socket keeps the descriptor O_NONBLOCK and
/// emulates blocking on its own epoll thread, and reports SocketError, not errno), and none of it is
/// something a user of the library needs from IoMux, so it lives here rather than in the library's public API.
/// </summary>
internal static unsafe partial class Posix
{
    private const string C = "libc";
    private const int F_GETFL = 3;
    private const int F_SETFL = 4;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int AF_UNIX = 1;
    private const int SOCK_STREAM = 1;

    /// <summary>A connected pair of AF_UNIX stream sockets, close-on-exec, optionally non-blocking.</summary>
    public static (PosixDescriptor A, PosixDescriptor B) SocketPair(bool nonBlocking)
    {
        int* fds = stackalloc int[2];
        int type = SOCK_STREAM | O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0);
        Check(SocketPairCall(AF_UNIX, type, 0, fds), "socketpair", -1);
        return (new PosixDescriptor(fds[0]), new PosixDescriptor(fds[1]));
    }

    public static void SetNonBlocking(int fd, bool nonBlocking)
    {
        int flags = Check(Fcntl(fd, F_GETFL, 0), "fcntl(F_GETFL)", fd);
        int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (wanted != flags)
        {
            Check(Fcntl(fd, F_SETFL, wanted), "fcntl(F_SETFL)", fd);
        }
    }

    public static bool IsNonBlocking(int fd) => (Check(Fcntl(fd, F_GETFL, 0), "fcntl(F_GETFL)", fd) & O_NONBLOCK) != 0;

    /// <summary>read(2); returns bytes read, 0 at EOF, or -1 with <paramref name="errno"/> set.</summary>
    public static int Read(int fd, Span<byte> buffer, out Errno errno)
    {
        fixed (byte* p = buffer)
        {
            nint n = ReadCall(fd, p, (nuint)buffer.Length);
            errno = n < 0 ? (Errno)Marshal.GetLastPInvokeError() : 0;
            return (int)n;
        }
    }

    /// <summary>write(2); returns bytes written, or -1 with <paramref name="errno"/> set.</summary>
    public static int Write(int fd, ReadOnlySpan<byte> data, out Errno errno)
    {
        fixed (byte* p = data)
        {
            nint n = WriteCall(fd, p, (nuint)data.Length);
            errno = n < 0 ? (Errno)Marshal.GetLastPInvokeError() : 0;
            return (int)n;
        }
    }

    /// <summary>read(2) that throws on any error except EAGAIN, which returns -1.</summary>
    public static int ReadOrThrow(int fd, Span<byte> buffer)
    {
        int n = Read(fd, buffer, out Errno errno);
        return n < 0 && errno != Errno.EAGAIN ? throw new SyscallException("read", errno, fd) : n;
    }

    /// <summary>write(2) that throws on any error except EAGAIN, which returns -1.</summary>
    public static int WriteOrThrow(int fd, ReadOnlySpan<byte> data)
    {
        int n = Write(fd, data, out Errno errno);
        return n < 0 && errno != Errno.EAGAIN ? throw new SyscallException("write", errno, fd) : n;
    }

    internal static bool CloseDescriptor(int fd) => Close(fd) == 0;

    private static int Check(int result, string call, int fd) =>
        result < 0 ? throw new SyscallException(call, (Errno)Marshal.GetLastPInvokeError(), fd) : result;

    [LibraryImport(C, EntryPoint = "socketpair", SetLastError = true)]
    private static partial int SocketPairCall(int domain, int type, int protocol, int* fds);

    [LibraryImport(C, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(C, EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadCall(int fd, byte* buffer, nuint count);

    [LibraryImport(C, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteCall(int fd, byte* buffer, nuint count);

    [LibraryImport(C, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
