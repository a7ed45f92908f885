using System.Net;
using System.Net.Sockets;
using IoMux.Datagrams;
using IoMux.Tests.Transport;

namespace IoMux.Tests.Datagrams;

/// <summary>
/// UDP echo over real loopback sockets on every mode the endpoint runs in (readiness on each backend and trigger,
/// completion on io_uring): exact payloads with their boundaries, truncation, many peers, IPv6 and dual-stack.
/// </summary>
public sealed class DatagramEchoTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Datagrams_of_every_size_come_back_exact_with_their_boundaries_kept(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions { Trigger = trigger, IoModel = model });
        using Socket client = DatagramLoop.Client();
        int[] sizes = [0, 1, 1472, 65_507, 1, 0];
        var random = new Random(14);
        byte[][] sent = [.. sizes.Select(size => { byte[] b = new byte[size]; random.NextBytes(b); return b; })];
        // All sent before any is read: each receive must return exactly one datagram, in order.
        foreach (byte[] datagram in sent)
        {
            client.SendTo(datagram, loop.Address);
        }
        byte[] buffer = new byte[70_000];
        foreach (byte[] expected in sent)
        {
            int n = client.Receive(buffer);
            Assert.Equal(expected.Length, n);
            Assert.True(buffer.AsSpan(0, n).SequenceEqual(expected), $"the {expected.Length}-byte datagram came back altered");
        }
        // The loop counts a send after the kernel took it, which may be after the client read the echo.
        DatagramLoop.WaitFor(() => loop.Endpoint.Counters.Sent == sizes.Length, $"the endpoint counted {loop.Endpoint.Counters.Sent} sends of {sizes.Length}");
        UdpEndpointCounters counters = loop.Endpoint.Counters;
        Assert.Equal(sizes.Length, counters.Received);
        Assert.Equal(0, counters.Truncated);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void A_datagram_longer_than_the_largest_kept_is_reported_truncated_with_its_real_length(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        var handler = new EchoDatagrams { Record = true };
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), handler, new UdpEndpointOptions { Trigger = trigger, IoModel = model, MaxDatagramSize = 100 });
        using Socket client = DatagramLoop.Client();
        byte[] datagram = new byte[300];
        new Random(3).NextBytes(datagram);
        client.SendTo(datagram, loop.Address);
        client.SendTo(datagram.AsSpan(0, 100), loop.Address);

        byte[] buffer = new byte[1000];
        Assert.Equal(100, client.Receive(buffer)); // what was kept is echoed
        Assert.True(buffer.AsSpan(0, 100).SequenceEqual(datagram.AsSpan(0, 100)));
        Assert.Equal(100, client.Receive(buffer));
        DatagramLoop.WaitFor(() => handler.Seen.Count == 2, "the handler was not told of both datagrams");
        (int Length, int Kept, bool Truncated, byte[] Payload)[] seen = [.. handler.Seen];
        Assert.Equal((300, 100, true), (seen[0].Length, seen[0].Kept, seen[0].Truncated));
        Assert.Equal((100, 100, false), (seen[1].Length, seen[1].Kept, seen[1].Truncated));
        Assert.Equal(1, loop.Endpoint.Counters.Truncated);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Fifty_peers_at_once_each_get_their_own_datagrams_back(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions { Trigger = trigger, IoModel = model });
        const int Peers = 50;
        const int PerPeer = 40;
        Socket[] clients = [.. Enumerable.Range(0, Peers).Select(_ => DatagramLoop.Client())];
        try
        {
            Parallel.For(0, Peers, new ParallelOptions { MaxDegreeOfParallelism = Peers }, peer =>
            {
                byte[] buffer = new byte[64];
                for (int i = 0; i < PerPeer; i++)
                {
                    byte[] datagram = [.. BitConverter.GetBytes(peer), .. BitConverter.GetBytes(i)];
                    clients[peer].SendTo(datagram, loop.Address);
                    int n = clients[peer].Receive(buffer);
                    Assert.True(buffer.AsSpan(0, n).SequenceEqual(datagram), $"peer {peer} got another's datagram, or an altered one, for its {i}th");
                }
            });
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
        }
        Assert.Equal(Peers * PerPeer, loop.Endpoint.Counters.Received);
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void IPv6_and_dual_stack_endpoints_echo_to_the_address_each_datagram_came_from(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Fail("this kernel has no IPv6; the IPv6 endpoint cannot be tested here (enable IPv6 on loopback)");
        }
        var handler = new EchoDatagrams { Record = true };
        using var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.IPv6Any, 0), handler, new UdpEndpointOptions { Trigger = trigger, IoModel = model, DualStack = true });
        byte[] buffer = new byte[64];
        using (Socket v6 = DatagramLoop.Client(AddressFamily.InterNetworkV6))
        {
            v6.SendTo("six"u8.ToArray(), new IPEndPoint(IPAddress.IPv6Loopback, loop.Address.Port));
            EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
            int n = v6.ReceiveFrom(buffer, ref from);
            Assert.Equal("six", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
        using (Socket v4 = DatagramLoop.Client())
        {
            v4.SendTo("four"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, loop.Address.Port));
            int n = v4.Receive(buffer);
            Assert.Equal("four", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.Equal(2, loop.Endpoint.Counters.Received);
    }
}
