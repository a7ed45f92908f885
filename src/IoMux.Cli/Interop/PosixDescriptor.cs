using System.Runtime.InteropServices;

namespace IoMux.Cli.Interop;

/// <summary>A descriptor made by <see cref="Posix"/>: closed exactly once, when disposed or finalized.</summary>
internal sealed class PosixDescriptor : SafeHandle
{
    public PosixDescriptor(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number. Valid only while the handle is open.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Posix.CloseDescriptor(Fd);
}
