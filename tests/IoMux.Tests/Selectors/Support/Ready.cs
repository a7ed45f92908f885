namespace IoMux.Tests.Selectors.Support;

/// <summary>Runs one wait and collects what the caller would see through <c>foreach</c>.</summary>
public static class Ready
{
    public static List<(int Fd, Readiness Readiness)> Wait(Selector selector, TimeSpan timeout, int capacity = 64)
    {
        var buffer = new SelectorEvent[capacity];
        var seen = new List<(int, Readiness)>();
        foreach (SelectorEvent e in selector.Wait(buffer, timeout))
        {
            seen.Add((e.Fd, e.Readiness));
        }
        return seen;
    }

    /// <summary>What is ready right now (a zero-timeout wait), ordered by descriptor.</summary>
    public static List<(int Fd, Readiness Readiness)> Now(Selector selector, int capacity = 64)
    {
        List<(int Fd, Readiness Readiness)> seen = Wait(selector, TimeSpan.Zero, capacity);
        seen.Sort((x, y) => x.Fd.CompareTo(y.Fd));
        return seen;
    }

    /// <summary>
    /// Asserts what the next wait reports when nothing has changed since <paramref name="reported"/>, as each trigger
    /// documents it: level reports the same again; edge stays silent (no new edge); one-shot stays silent until
    /// re-armed, and then reports the same again.
    /// </summary>
    public static void AgainAsTheTriggerSays(Selector selector, Trigger trigger, List<(int Fd, Readiness Readiness)> reported)
    {
        if (trigger == Trigger.Level)
        {
            Assert.Equal(reported, Now(selector));
            return;
        }
        Assert.Empty(Now(selector));
        if (trigger == Trigger.OneShot)
        {
            foreach ((int fd, _) in reported)
            {
                Rearm.IfOneShot(selector, fd, trigger);
            }
            Assert.Equal(reported, Now(selector));
        }
    }

    /// <summary>Waits (up to a generous limit) until <paramref name="fd"/> is reported; returns its readiness.</summary>
    public static Readiness Until(Selector selector, int fd, TimeSpan limit)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        var buffer = new SelectorEvent[64];
        while (DateTime.UtcNow < deadline)
        {
            foreach (SelectorEvent e in selector.Wait(buffer, TimeSpan.FromMilliseconds(100)))
            {
                if (e.Fd == fd)
                {
                    return e.Readiness;
                }
            }
        }
        return Readiness.None;
    }
}
