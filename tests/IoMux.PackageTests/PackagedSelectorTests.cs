using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace IoMux.PackageTests;

/// <summary>
/// The IoMux package, restored from the folder CI packed it into, does what the README shows: a Selector
/// registers real loopback sockets, reports them ready with their state, and forgets them on Unregister.
/// </summary>
public sealed class PackagedSelectorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_library_under_test_is_the_packed_version()
    {
        string packed = typeof(PackagedSelectorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "IoMuxPackageVersion").Value!;
        string? loaded = typeof(Selector).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.NotNull(loaded);
        // The informational version is the package version, then "+commit".
        Assert.Equal(packed, loaded.Split('+')[0]);
    }

    [Theory]
    [InlineData(SelectorBackend.Epoll)]
    [InlineData(SelectorBackend.Poll)]
    [InlineData(SelectorBackend.Select)]
    public void A_socket_pair_round_trips_through_the_selector(SelectorBackend backend) => RoundTrip(backend);

    [IoUringFact]
    public void A_socket_pair_round_trips_through_the_io_uring_selector() => RoundTrip(SelectorBackend.IoUring);

    private static void RoundTrip(SelectorBackend backend)
    {
        (Socket client, Socket server) = ConnectedPair();
        using (client)
        using (server)
        using (Selector selector = Selector.Create(backend))
        {
            Assert.Equal(backend, selector.Backend);
            selector.Register(server, Interest.Read, state: "server");
            selector.Register(client, Interest.Read, state: "client");

            client.Send("ping"u8);
            Assert.Equal("server", WaitForOne(selector, Readiness.Read));
            byte[] request = Receive(server, 4);
            Assert.Equal("ping"u8.ToArray(), request);

            server.Send(request);
            Assert.Equal("client", WaitForOne(selector, Readiness.Read));
            Assert.Equal("ping"u8.ToArray(), Receive(client, 4));

            selector.Unregister(server);
            selector.Unregister(client);
            Assert.Empty(selector.Registrations);
            // Both sockets have data waiting (loopback delivers before Send returns), and neither is reported.
            client.Send("more"u8);
            server.Send("more"u8);
            Assert.Equal(0, selector.Wait(new SelectorEvent[4], TimeSpan.Zero).Count);
        }
    }

    /// <summary>Waits until exactly one registration is ready with <paramref name="expected"/>, and returns its state.</summary>
    private static object? WaitForOne(Selector selector, Readiness expected)
    {
        var events = new SelectorEvent[4];
        ReadyEvents ready = selector.Wait(events, Deadline);
        Assert.Equal(1, ready.Count);
        SelectorEvent only = ready.Raw[0];
        Assert.Equal(expected, only.Readiness & expected);
        return only.State;
    }

    private static byte[] Receive(Socket socket, int count)
    {
        var buffer = new byte[count];
        int received = 0;
        socket.ReceiveTimeout = (int)Deadline.TotalMilliseconds;
        while (received < count)
        {
            int n = socket.Receive(buffer.AsSpan(received));
            Assert.True(n > 0, $"the peer closed after {received} of {count} bytes");
            received += n;
        }
        return buffer;
    }

    private static (Socket Client, Socket Server) ConnectedPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return (client, listener.Accept());
    }
}
