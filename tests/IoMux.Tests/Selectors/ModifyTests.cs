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
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Modify_with_the_interest_already_in_force_makes_no_system_call(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        var pair = new SocketPairEnds();
        int fd = pair.A.Fd;
        selector.Register(fd, Interest.Read);
        pair.Dispose();

        // Proof: the descriptor is closed, so any system call about it would fail: EBADF, or ENOENT if a
        // parallel test has reused the number (that new descriptor is not in this selector's kernel set).
        // Modify with the same interest (and the same trigger, spelled out or not) returns quietly.
        SelectorKey key = selector.Modify(fd, Interest.Read);
        selector.Modify(fd, Interest.Read, Trigger.Level);

        Assert.Equal(Interest.Read, key.Interest);
        if (backend == SelectorBackend.Epoll)
        {
            // Control: on epoll a real change is an epoll_ctl(MOD), which does fail, and changes nothing.
            var e = Snapshot.ThrowsAndChangesNothing<SyscallException>(selector, () => selector.Modify(fd, Interest.Write));
            Assert.Contains(e.Errno, new[] { Errno.EBADF, Errno.ENOENT });
            Assert.Equal(Interest.Read, key.Interest);
        }
        selector.Unregister(fd);
    }
}
