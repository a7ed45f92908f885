using System.Net.Sockets;
using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// What Register accepts (a Socket, a SafeHandle, a number), Modify, Unregister and TryGetKey accept too, naming
/// the registration of that descriptor however it was made; a closed handle or disposed socket is refused where
/// its number may name another descriptor by now.
/// </summary>
public sealed class DescriptorOverloadTests
{
    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_registered_Socket_is_looked_up_modified_and_unregistered_as_itself(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var tcp = new TcpPair();
        int fd = Io.Fd(tcp.Server.SafeHandle);
        SelectorKey key = selector.Register(tcp.Server, Interest.Read, "server");

        Assert.True(selector.TryGetKey(tcp.Server, out SelectorKey? found));
        Assert.Same(key, found);
        Assert.Same(key, selector.Modify(tcp.Server, Interest.Write));
        Assert.Equal([(fd, Readiness.Write)], Ready.Now(selector));

        selector.Unregister(tcp.Server);

        Assert.False(key.IsRegistered);
        Assert.Empty(selector.Registrations);
        Assert.False(selector.TryGetKey(tcp.Server, out _));
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_registered_SafeHandle_is_looked_up_modified_and_unregistered_as_itself(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        SelectorKey key = selector.Register(pair.A, Interest.Read, "a");

        Assert.True(selector.TryGetKey(pair.A, out SelectorKey? found));
        Assert.Same(key, found);
        Assert.Same(key, selector.Modify(pair.A, Interest.Write));
        Assert.Equal([(pair.A.Fd, Readiness.Write)], Ready.Now(selector));

        selector.Unregister(pair.A);

        Assert.False(key.IsRegistered);
        Assert.Empty(selector.Registrations);
        Assert.False(selector.TryGetKey(pair.A, out _));
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_socket_registered_by_number_is_found_modified_and_unregistered_through_the_Socket(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Selector.Create(backend);
        using var tcp = new TcpPair();
        int fd = Io.Fd(tcp.Client.SafeHandle);
        SelectorKey key = selector.Register(fd, Interest.Write, trigger: trigger);
        Assert.Equal([(fd, Readiness.Write)], Ready.Now(selector));

        Assert.True(selector.TryGetKey(tcp.Client, out SelectorKey? found));
        Assert.Same(key, found);
        // Modify keeps the trigger it is not given, and re-arms a one-shot registration that reported.
        Assert.Same(key, selector.Modify(tcp.Client, Interest.Write));
        Assert.Equal(trigger, key.Trigger);
        if (trigger != Trigger.Edge)
        {
            Assert.Equal([(fd, Readiness.Write)], Ready.Now(selector));
        }

        selector.Unregister(tcp.Client);

        Assert.Empty(selector.Registrations);
        Assert.True(tcp.Client.Connected, "unregistering must not close a socket the caller owns");
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_handle_disposed_by_its_owner_is_unregistered_through_itself_and_closes_then(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pipe = new PipeEnds();
        selector.Register(pipe.Write, Interest.Write);
        pipe.Write.Dispose();
        Span<byte> buffer = stackalloc byte[8];
        Assert.Equal(-1, Descriptors.Read(pipe.Read.Fd, buffer, out Errno before));
        Assert.Equal(Errno.EAGAIN, before); // the registration's reference keeps the write end open: no EOF yet

        selector.Unregister(pipe.Write);

        Assert.Empty(selector.Registrations);
        Assert.Equal(0, Descriptors.Read(pipe.Read.Fd, buffer, out _)); // the last reference went: the reader sees EOF
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_closed_handle_the_registration_does_not_hold_is_refused_and_the_registration_kept(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        var pair = new SocketPairEnds();
        int fd = pair.A.Fd;
        SelectorKey key = selector.Register(fd, Interest.Read);
        pair.Dispose();

        Assert.Throws<ObjectDisposedException>(() => selector.Unregister(pair.A));
        Assert.Throws<ObjectDisposedException>(() => selector.Modify(pair.A, Interest.Write));
        Assert.Throws<ObjectDisposedException>(() => selector.TryGetKey(pair.A, out _));

        Assert.True(key.IsRegistered);
        Assert.Equal(Interest.Read, key.Interest);
        selector.Unregister(key.Fd);
        Assert.Empty(selector.Registrations);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void A_disposed_Socket_is_refused_and_its_registration_is_undone_by_its_keys_number(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        var tcp = new TcpPair();
        SelectorKey key = selector.Register(tcp.Client, Interest.Read);
        tcp.Dispose();

        Assert.Throws<ObjectDisposedException>(() => selector.Unregister(tcp.Client));
        Assert.Throws<ObjectDisposedException>(() => selector.Modify(tcp.Client, Interest.Write));
        Assert.Throws<ObjectDisposedException>(() => selector.TryGetKey(tcp.Client, out _));

        Assert.True(key.IsRegistered);
        selector.Unregister(key.Fd);
        Assert.Empty(selector.Registrations);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void An_unregistered_Socket_or_handle_is_not_found_and_cannot_be_modified_or_unregistered(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var tcp = new TcpPair();
        using var pair = new SocketPairEnds();

        Assert.False(selector.TryGetKey(tcp.Client, out SelectorKey? bySocket));
        Assert.Null(bySocket);
        Assert.False(selector.TryGetKey(pair.A, out SelectorKey? byHandle));
        Assert.Null(byHandle);
        Assert.Equal(Io.Fd(tcp.Client.SafeHandle), Assert.Throws<NotRegisteredException>(() => selector.Modify(tcp.Client, Interest.Read)).Fd);
        Assert.Equal(pair.A.Fd, Assert.Throws<NotRegisteredException>(() => selector.Modify(pair.A, Interest.Read)).Fd);
        Assert.Equal(Io.Fd(tcp.Client.SafeHandle), Assert.Throws<NotRegisteredException>(() => selector.Unregister(tcp.Client)).Fd);
        Assert.Equal(pair.A.Fd, Assert.Throws<NotRegisteredException>(() => selector.Unregister(pair.A)).Fd);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Null_sockets_and_handles_are_refused_by_name(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);

        Assert.Equal("socket", Assert.Throws<ArgumentNullException>(() => selector.TryGetKey((Socket)null!, out _)).ParamName);
        Assert.Equal("handle", Assert.Throws<ArgumentNullException>(() => selector.TryGetKey((FileDescriptor)null!, out _)).ParamName);
        Assert.Equal("socket", Assert.Throws<ArgumentNullException>(() => selector.Modify((Socket)null!, Interest.Read)).ParamName);
        Assert.Equal("handle", Assert.Throws<ArgumentNullException>(() => selector.Modify((FileDescriptor)null!, Interest.Read)).ParamName);
        Assert.Equal("socket", Assert.Throws<ArgumentNullException>(() => selector.Unregister((Socket)null!)).ParamName);
        Assert.Equal("handle", Assert.Throws<ArgumentNullException>(() => selector.Unregister((FileDescriptor)null!)).ParamName);
    }
}
