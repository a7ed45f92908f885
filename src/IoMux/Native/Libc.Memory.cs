using System.Runtime.InteropServices;

namespace IoMux.Native;

internal static unsafe partial class Libc
{
    /// <summary>madvise(2)'s advice that a range be backed by transparent huge pages.</summary>
    public const int MADV_HUGEPAGE = 14;

    [LibraryImport(C, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(void* address, nuint length, int advice);
}
