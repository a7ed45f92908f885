using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>
/// io_uring has no libc wrappers: its three calls go through <c>syscall(2)</c>, and the rings are
/// mapped with <c>mmap(2)</c>. syscall is variadic in C; on x86-64 and arm64 Linux integer variadic
/// arguments travel in the same registers as fixed ones, and glibc's syscall only moves registers,
/// so fixed 64-bit parameters are passed exactly as the kernel expects them.
/// </summary>
internal static unsafe partial class Libc
{
    [LibraryImport(C, EntryPoint = "syscall", SetLastError = true)]
    public static partial long IoUringSetup(long number, long entries, IoUringParams* parameters);

    [LibraryImport(C, EntryPoint = "syscall", SetLastError = true)]
    public static partial long IoUringEnter(long number, long fd, long toSubmit, long minComplete, long flags, void* argument, long argumentSize);

    [LibraryImport(C, EntryPoint = "syscall", SetLastError = true)]
    public static partial long IoUringRegister(long number, long fd, long opcode, void* argument, long count);

    [LibraryImport(C, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(C, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);
}
