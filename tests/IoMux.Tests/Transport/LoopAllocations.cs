namespace IoMux.Tests.Transport;

/// <summary>
/// Reads a loop thread's allocation counter from that thread. The answer comes back through a flag the test
/// spins on, not a wait handle: setting an event that a blocked waiter sleeps on allocates on the setting thread,
/// which would count against the loop inside the measured window.
/// </summary>
internal static class LoopAllocations
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static long Read(EventLoop loop)
    {
        long value = 0;
        int done = 0;
        loop.Post(() =>
        {
            value = GC.GetAllocatedBytesForCurrentThread();
            Volatile.Write(ref done, 1);
        });
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref done) == 1, Bound), "the loop did not run a posted action");
        return value;
    }
}
