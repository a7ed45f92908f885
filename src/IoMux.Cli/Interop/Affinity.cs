using System.Runtime.InteropServices;
using IoMux.Native;

namespace IoMux.Cli.Interop;

/// <summary>
/// sched_setaffinity(2) and sched_getaffinity(2) for one thread (a Linux task id). .NET's
/// <c>Process.ProcessorAffinity</c> reaches only a process's first thread, and a benchmark must pin every thread a
/// server already runs, so <c>iomux compare --pin</c> sets each task's mask itself.
/// </summary>
internal static unsafe partial class Affinity
{
    // glibc's cpu_set_t: 1024 CPUs, one bit each.
    private const int MaskBytes = 128;
    private const int MaxCpus = MaskBytes * 8;
    private const int ESRCH = 3;

    /// <summary>Restricts thread <paramref name="tid"/> to <paramref name="cpus"/>; false if the thread has already exited.</summary>
    public static bool TrySet(int tid, IReadOnlyCollection<int> cpus)
    {
        byte* mask = stackalloc byte[MaskBytes];
        new Span<byte>(mask, MaskBytes).Clear();
        foreach (int cpu in cpus)
        {
            if ((uint)cpu >= MaxCpus)
            {
                throw new ArgumentOutOfRangeException(nameof(cpus), cpu, $"CPU numbers stop at {MaxCpus - 1}");
            }
            mask[cpu / 8] |= (byte)(1 << (cpu % 8));
        }
        if (SetAffinity(tid, MaskBytes, mask) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        return errno == ESRCH ? false : throw new SyscallException($"sched_setaffinity(task {tid})", (Errno)errno, -1);
    }

    /// <summary>The CPUs thread <paramref name="tid"/> may run on (0: the calling thread), in ascending order.</summary>
    public static int[] Get(int tid)
    {
        byte* mask = stackalloc byte[MaskBytes];
        if (GetAffinity(tid, MaskBytes, mask) < 0)
        {
            throw new SyscallException($"sched_getaffinity(task {tid})", (Errno)Marshal.GetLastPInvokeError(), -1);
        }
        var cpus = new List<int>();
        for (int cpu = 0; cpu < MaxCpus; cpu++)
        {
            if ((mask[cpu / 8] & (1 << (cpu % 8))) != 0)
            {
                cpus.Add(cpu);
            }
        }
        return [.. cpus];
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SetAffinity(int pid, nuint size, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int GetAffinity(int pid, nuint size, byte* mask);
}
