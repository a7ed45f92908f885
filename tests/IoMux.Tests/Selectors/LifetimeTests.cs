using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// Descriptor lifetimes: closed-while-registered descriptors, reused numbers, handles kept alive by
/// the selector, and Dispose. These count /proc/self/fd or rely on a freed number staying free, so
/// they run alone.
/// </summary>
[Collection(NonParallel.Name)]
public sealed class LifetimeTests
{
    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Unregistering_descriptors_that_were_already_closed_succeeds(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        var pair = new SocketPairEnds();
        (int a, int b) = (pair.A.Fd, pair.B.Fd);
        SelectorKey ka = selector.Register(a, Interest.Read, trigger: trigger);
        SelectorKey kb = selector.Register(b, Interest.Write, trigger: trigger);

        pair.Dispose();
        selector.Unregister(a);
        selector.Unregister(b);

        Assert.Empty(selector.Registrations);
        Assert.False(ka.IsRegistered);
        Assert.False(kb.IsRegistered);
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public async Task A_registered_Socket_can_be_disposed_before_it_is_unregistered(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        var tcp = new TcpPair();
        int fd = (int)tcp.Client.Handle;
        selector.Register(tcp.Client, Interest.Read, trigger: trigger);

        // Socket.Dispose waits for every reference on its handle: if the selector held one, this would never return.
        Task dispose = Task.Run(tcp.Dispose);
        Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(30))));

        selector.Unregister(fd);
        Assert.Empty(selector.Registrations);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_closed_descriptor_is_reported_Invalid_where_the_backend_can_tell_until_it_is_unregistered(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var other = new SocketPairEnds();
        var pair = new SocketPairEnds();
        int a = pair.A.Fd;
        selector.Register(a, Interest.Read, trigger: trigger);
        selector.Register(other.B, Interest.Write, trigger: trigger);

        pair.Dispose();

        var seen = Ready.Now(selector);
        if (Backends.ReportsClosedDescriptors(backend))
        {
            Assert.Contains((a, Readiness.Invalid), seen);
        }
        else
        {
            Assert.DoesNotContain(seen, e => e.Fd == a);
        }
        if (backend != SelectorBackend.Select)
        {
            // select(2) fails the whole call with EBADF, so that wait can report only the closed descriptor.
            Assert.Contains((other.B.Fd, Readiness.Write), seen);
        }
        selector.Unregister(a);
        if (backend == SelectorBackend.Select)
        {
            // That failed wait delivered nothing else, so even an edge or one-shot registration has news to give.
            Assert.Equal([(other.B.Fd, Readiness.Write)], Ready.Now(selector));
        }
        else
        {
            Ready.AgainAsTheTriggerSays(selector, trigger, [(other.B.Fd, Readiness.Write)]);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_closed_descriptors_number_reused_by_a_new_descriptor_can_be_registered_after_unregistering(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var fresh = new SocketPairEnds();
        var old = new SocketPairEnds();
        int number = old.A.Fd;
        selector.Register(number, Interest.Read, trigger: trigger);
        old.Dispose();

        // CPython test_unregister_after_fd_close_and_reuse: the number now names another socket.
        using FileDescriptor reused = Io.DuplicateAtOrAbove(fresh.A.Fd, number);
        Assert.Equal(number, reused.Fd);
        selector.Unregister(number);
        selector.Register(reused, Interest.Read, trigger: trigger);
        Assert.Empty(Ready.Now(selector));

        Io.Write(fresh.B);

        Assert.Equal([(number, Readiness.Read)], Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_registered_handle_disposed_by_its_owner_stays_open_until_unregistered(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        int fd = pair.A.Fd;
        selector.Register(pair.A, Interest.Read, trigger: trigger);

        pair.A.Dispose();

        Assert.True(Descriptors.IsOpen(fd), "the selector's reference should keep the descriptor open");
        Io.Write(pair.B);
        Assert.Equal([(fd, Readiness.Read)], Ready.Now(selector));

        selector.Unregister(fd);

        Assert.False(Descriptors.IsOpen(fd), "unregistering should release the last reference and close it");
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Dispose_releases_registered_handles_their_owners_already_disposed(SelectorBackend backend, Trigger trigger)
    {
        Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        int fd = pair.A.Fd;
        selector.Register(pair.A, Interest.Read, trigger: trigger);
        pair.A.Dispose();
        Assert.True(Descriptors.IsOpen(fd));

        selector.Dispose();

        Assert.False(Descriptors.IsOpen(fd));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Dispose_closes_the_selectors_own_descriptors_and_no_others(SelectorBackend backend, Trigger trigger)
    {
        using var pair = new SocketPairEnds();
        int before = Descriptors.CountOpen();

        Selector selector = Selector.Create(backend);
        int during = Descriptors.CountOpen();
        selector.Register(pair.A, Interest.Read, trigger: trigger);
        selector.Register(pair.B.Fd, Interest.Write, trigger: trigger);
        selector.Dispose();

        Assert.True(during > before, "a selector owns at least its wake-up descriptor");
        Assert.Equal(before, Descriptors.CountOpen());
        Assert.True(Descriptors.IsOpen(pair.A.Fd) && Descriptors.IsOpen(pair.B.Fd), "the caller's descriptors stay open");
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Dispose_is_idempotent_and_retires_every_key(SelectorBackend backend, Trigger trigger)
    {
        using var pair = new SocketPairEnds();
        int before = Descriptors.CountOpen();
        Selector selector = Selector.Create(backend);
        SelectorKey ka = selector.Register(pair.A, Interest.Read, trigger: trigger);
        SelectorKey kb = selector.Register(pair.B, Interest.Write, trigger: trigger);

        selector.Dispose();
        selector.Dispose();

        Assert.False(ka.IsRegistered);
        Assert.False(kb.IsRegistered);
        Assert.Empty(selector.Registrations);
        Assert.Equal(before, Descriptors.CountOpen());
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Every_call_after_Dispose_throws_ObjectDisposed(SelectorBackend backend, Trigger trigger)
    {
        using var pair = new SocketPairEnds();
        Selector selector = Selector.Create(backend);
        selector.Register(pair.A, Interest.Read, trigger: trigger);
        selector.Dispose();

        Assert.Throws<ObjectDisposedException>(() => selector.Register(pair.B, Interest.Write, trigger: trigger));
        Assert.Throws<ObjectDisposedException>(() => selector.Register(pair.B.Fd, Interest.Write, trigger: trigger));
        Assert.Throws<ObjectDisposedException>(() => selector.Register(-1, Interest.Write, trigger: trigger));
        Assert.Throws<ObjectDisposedException>(() => selector.Modify(pair.A.Fd, Interest.Write));
        Assert.Throws<ObjectDisposedException>(() => selector.Unregister(pair.A.Fd));
        Assert.Throws<ObjectDisposedException>(() => selector.Wait(new SelectorEvent[4], TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(selector.Wake);
        Assert.Throws<ObjectDisposedException>(() => selector.TryGetKey(pair.A.Fd, out _));
        // A handle passed to a refused Register is not left with an extra reference.
        pair.B.Dispose();
        Assert.True(pair.B.IsClosed);
    }
}
