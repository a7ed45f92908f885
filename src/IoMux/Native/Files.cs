using System.Text;
using static IoMux.Native.Constants;

namespace IoMux.Native;

/// <summary>The few file calls a Unix socket's path needs: what is there (statx) and removing it (unlink).</summary>
internal static unsafe class Files
{
    private const int StatxSize = 256;
    private const int ModeOffset = 28;
    private const int InodeOffset = 32;
    private const int DeviceMajorOffset = 136;
    private const int DeviceMinorOffset = 140;

    /// <summary>Which file a path names now (symbolic links not followed), or <see langword="null"/> when nothing is there.</summary>
    public static FileIdentity? Identify(string path)
    {
        byte* buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        fixed (byte* p = NullTerminated(path))
        {
            if (Libc.Statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, buffer) < 0)
            {
                Errno errno = LastError.Get();
                return errno == Errno.ENOENT ? null : throw new SyscallException($"statx({path})", errno, -1);
            }
        }
        int mode = *(ushort*)(buffer + ModeOffset);
        ulong device = ((ulong)*(uint*)(buffer + DeviceMajorOffset) << 32) | *(uint*)(buffer + DeviceMinorOffset);
        return new FileIdentity(device, *(ulong*)(buffer + InodeOffset), (mode & S_IFMT) == S_IFSOCK);
    }

    /// <summary>Removes <paramref name="path"/>; false when it was already gone.</summary>
    public static bool Unlink(string path)
    {
        fixed (byte* p = NullTerminated(path))
        {
            if (Libc.Unlink(p) == 0)
            {
                return true;
            }
        }
        Errno errno = LastError.Get();
        return errno == Errno.ENOENT ? false : throw new SyscallException($"unlink({path})", errno, -1);
    }

    private static byte[] NullTerminated(string path)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}

/// <summary>A file as the kernel knows it: the same device and inode is the same file, whatever its name.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, bool IsSocket);
