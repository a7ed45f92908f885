using IoMux.Native;

namespace IoMux.Tests.Selectors.Support;

/// <summary>
/// Whether a thread of this process is asleep in the kernel, from /proc/self/task/TID/stat: lets a test act on a
/// waiter only once it is really waiting, instead of sleeping and hoping it got there.
/// </summary>
public static class Blocked
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="wait"/> on a new thread and returns once that thread sleeps in the kernel.</summary>
    public static Task<T> Start<T>(Func<T> wait)
    {
        int tid = 0;
        var task = Task.Factory.StartNew(() =>
        {
            Volatile.Write(ref tid, Libc.GetTid());
            return wait();
        }, TaskCreationOptions.LongRunning);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref tid) != 0 && (task.IsCompleted || IsAsleep(tid)), Patience),
            "the waiter never went to sleep in the kernel");
        return task;
    }

    /// <summary>The thread's state is S (interruptible sleep): the selector's wait is the only place it blocks.</summary>
    private static bool IsAsleep(int tid)
    {
        string stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        // pid (comm) state ...: comm may hold spaces and parentheses, so read after the last ')'.
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('S');
    }
}
