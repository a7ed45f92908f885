using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>A descriptor IoMux owns: closed exactly once, when disposed or finalized.</summary>
public sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor() : base(new IntPtr(-1), ownsHandle: true) { }

    public FileDescriptor(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(fd);

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number. Valid only while the handle is open.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Libc.Close(Fd) == 0;
}
