using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>The one place errno is read after a failed call and turned into an exception.</summary>
internal static class LastError
{
    public static Errno Get() => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>Throws for a negative result; returns the result otherwise.</summary>
    public static int Check(int result, string call, int fd)
    {
        if (result < 0)
        {
            Throw(call, fd);
        }
        return result;
    }

    public static long Check(long result, string call, int fd)
    {
        if (result < 0)
        {
            Throw(call, fd);
        }
        return result;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Throw(string call, int fd) => throw new SyscallException(call, Get(), fd);
}
