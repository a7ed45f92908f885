using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux.Tests.Selectors.Support;

/// <summary>Small, checked descriptor operations for tests.</summary>
internal static class Io
{
    /// <summary>fcntl's F_DUPFD_CLOEXEC: duplicate onto the lowest free number at or above a minimum.</summary>
    private const int F_DUPFD_CLOEXEC = 1030;

    public static void Write(SafeHandle end, int bytes = 1) => Write(Fd(end), bytes);

    public static void Write(int fd, int bytes = 1)
    {
        Span<byte> data = stackalloc byte[bytes];
        data.Fill((byte)'x');
        int written = Descriptors.WriteOrThrow(fd, data);
        Assert.Equal(bytes, written);
    }

    /// <summary>Reads until EAGAIN or EOF; returns the bytes read.</summary>
    public static int Drain(SafeHandle end) => Drain(Fd(end));

    public static int Drain(int fd)
    {
        Span<byte> buffer = stackalloc byte[4096];
        int total = 0;
        while (true)
        {
            int n = Descriptors.ReadOrThrow(fd, buffer);
            if (n <= 0)
            {
                return total;
            }
            total += n;
        }
    }

    public static int Fd(SafeHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>A close-on-exec duplicate of <paramref name="fd"/> numbered at least <paramref name="minimum"/>.</summary>
    public static FileDescriptor DuplicateAtOrAbove(int fd, int minimum) =>
        new(LastError.Check(Libc.Fcntl(fd, F_DUPFD_CLOEXEC, minimum), "fcntl(F_DUPFD_CLOEXEC)", fd));
}
