using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>A descriptor IoMux owns: closed exactly once, when disposed or finalized.</summary>
/// <remarks>
/// Internal on purpose: a public constructor over any <see cref="int"/> would let a caller hand IoMux a
/// descriptor it does not own and have it closed behind the owner's back, and no public API takes or returns
/// one. A caller registers what it owns as a <see cref="System.Net.Sockets.Socket"/>, its own
/// <see cref="SafeHandle"/> (its owner decides when it closes) or a plain number (never closed by IoMux).
/// </remarks>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor() : base(new IntPtr(-1), ownsHandle: true) { }

    public FileDescriptor(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(fd);

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number. Valid only while the handle is open.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Libc.Close(Fd) == 0;
}
