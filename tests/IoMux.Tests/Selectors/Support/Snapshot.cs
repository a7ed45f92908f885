namespace IoMux.Tests.Selectors.Support;

/// <summary>A selector's registrations as comparable values, to prove a failed call changed nothing.</summary>
public static class Snapshot
{
    public static List<(int Fd, Interest Interest, Trigger Trigger, object? State, SelectorKey Key)> Of(Selector selector)
    {
        var keys = selector.Registrations.Select(k => (k.Fd, k.Interest, k.Trigger, k.State, k)).ToList();
        keys.Sort((x, y) => x.Fd.CompareTo(y.Fd));
        return keys;
    }

    /// <summary>Asserts <paramref name="act"/> throws <typeparamref name="T"/> and leaves the registrations exactly as they were.</summary>
    public static T ThrowsAndChangesNothing<T>(Selector selector, Action act)
        where T : Exception
    {
        var before = Of(selector);
        T thrown = Assert.Throws<T>(act);
        var after = Of(selector);
        Assert.Equal(before, after);
        Assert.All(after, k => Assert.True(k.Key.IsRegistered));
        return thrown;
    }
}
