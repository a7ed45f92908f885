namespace IoMux.Tests.Selectors.Support;

/// <summary>One-shot registrations fall silent after one event until modified: tests that wait for a second event re-arm them (a no-op while still armed).</summary>
public static class Rearm
{
    public static void IfOneShot(Selector selector, int fd, Trigger trigger)
    {
        if (trigger == Trigger.OneShot && selector.TryGetKey(fd, out SelectorKey? key))
        {
            selector.Modify(fd, key.Interest);
        }
    }
}
