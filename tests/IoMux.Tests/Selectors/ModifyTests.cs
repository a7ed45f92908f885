using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>Modify: new interest takes effect, state is free to change, and a no-op costs no system call.</summary>
public sealed class ModifyTests
{
    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Modify_switches_what_is_reported_and_keeps_the_same_key(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        SelectorKey key = selector.Register(pair.A, Interest.Read, "state", trigger);
        Assert.Empty(Ready.Now(selector));

        SelectorKey modified = selector.Modify(pair.A.Fd, Interest.Write);

        Assert.Same(key, modified);
        Assert.Equal(Interest.Write, key.Interest);
        Assert.Equal(trigger, key.Trigger);
        Assert.Equal("state", key.State);
        Assert.Equal([(pair.A.Fd, Readiness.Write)], Ready.Now(selector));
        Assert.True(selector.TryGetKey(pair.A.Fd, out SelectorKey? found));
        Assert.Same(key, found);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Changing_a_keys_state_is_seen_by_the_next_event(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        SelectorKey key = selector.Register(pair.B, Interest.Write, "d1");

        key.State = "d2";

        SelectorEvent e = selector.Wait(new SelectorEvent[4], TimeSpan.Zero).Raw[0];
        Assert.Equal("d2", e.State);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Modify_with_the_interest_already_in_force_changes_nothing_in_the_kernel(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        int fd = pair.A.Fd;
        SelectorKey key = selector.Register(fd, Interest.Read, trigger: trigger);
        Assert.Empty(Ready.Now(selector)); // the registration is now the kernel's: poll and select built their sets, io_uring submitted
        long changes = selector.KernelChanges;

        // The same interest, and the same trigger spelled out or not: nothing for the kernel to learn.
        selector.Modify(fd, Interest.Read);
        selector.Modify(fd, Interest.Read, trigger);

        Assert.Equal(changes, selector.KernelChanges);
        Assert.Equal(Interest.Read, key.Interest);
        // Control: a real change is counted, and takes effect.
        selector.Modify(fd, Interest.Write);
        Assert.True(selector.KernelChanges > changes, $"{backend} changed its interest without changing anything in the kernel");
        Assert.Equal([(fd, Readiness.Write)], Ready.Now(selector));
    }

    [Fact]
    public void On_epoll_the_kernel_itself_shows_a_no_op_modify_makes_no_system_call()
    {
        using Selector selector = Selector.Create(SelectorBackend.Epoll);
        var pair = new SocketPairEnds();
        int fd = pair.A.Fd;
        SelectorKey key = selector.Register(fd, Interest.Read);
        pair.Dispose();

        // The descriptor is closed, so any system call about it would fail: EBADF, or ENOENT if a parallel test has
        // reused the number (that new descriptor is not in this selector's kernel set).
        selector.Modify(fd, Interest.Read);
        selector.Modify(fd, Interest.Read, Trigger.Level);

        Assert.Equal(Interest.Read, key.Interest);
        // Control: a real change is an epoll_ctl(MOD), which does fail, and changes nothing.
        var e = Snapshot.ThrowsAndChangesNothing<SyscallException>(selector, () => selector.Modify(fd, Interest.Write));
        Assert.Contains(e.Errno, new[] { Errno.EBADF, Errno.ENOENT });
        Assert.Equal(Interest.Read, key.Interest);
        selector.Unregister(fd);
    }
}
