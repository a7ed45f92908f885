using System.Net;
using System.Net.Sockets;
using IoMux.Datagrams;
using IoMux.Native;
using IoMux.Tests.Selectors;

namespace IoMux.Tests.Datagrams;

/// <summary>What <see cref="UdpEndpoint.Open"/> gives the kernel, and what it refuses before any socket exists, each in one line naming the fix.</summary>
public sealed class DatagramOptionsTests
{
    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Buffer_sizes_and_the_hop_limit_reach_the_socket(SelectorBackend backend)
    {
        var options = new UdpEndpointOptions { ReceiveBufferSize = 64 * 1024, SendBufferSize = 32 * 1024, TimeToLive = 7 };
        using (var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), options, start: false))
        {
            int fd = loop.Endpoint.Fd;
            // The kernel doubles what it is asked for, to count its bookkeeping (socket(7)).
            Assert.Equal(2 * 64 * 1024, DatagramSockets.GetOption(fd, Constants.SOL_SOCKET, Constants.SO_RCVBUF));
            Assert.Equal(2 * 32 * 1024, DatagramSockets.GetOption(fd, Constants.SOL_SOCKET, Constants.SO_SNDBUF));
            Assert.Equal(7, DatagramSockets.GetOption(fd, DatagramConstants.IPPROTO_IP, DatagramConstants.IP_TTL));
        }
        using (var loop = new DatagramLoop(backend, new IPEndPoint(IPAddress.IPv6Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions { TimeToLive = 9 }, start: false))
        {
            Assert.Equal(9, DatagramSockets.GetOption(loop.Endpoint.Fd, DatagramConstants.IPPROTO_IPV6, DatagramConstants.IPV6_UNICAST_HOPS));
            Assert.Equal(1, DatagramSockets.GetOption(loop.Endpoint.Fd, DatagramConstants.IPPROTO_IPV6, DatagramConstants.IPV6_V6ONLY));
        }
    }

    [Theory]
    [InlineData(nameof(UdpEndpointOptions.MaxDatagramSize))]
    [InlineData(nameof(UdpEndpointOptions.BatchSize))]
    [InlineData(nameof(UdpEndpointOptions.SendQueueBytes))]
    [InlineData(nameof(UdpEndpointOptions.TimeToLive))]
    public void An_option_out_of_range_is_refused_naming_it(string name)
    {
        UdpEndpointOptions options = name switch
        {
            nameof(UdpEndpointOptions.MaxDatagramSize) => new() { MaxDatagramSize = 70_000 },
            nameof(UdpEndpointOptions.BatchSize) => new() { BatchSize = 0 },
            nameof(UdpEndpointOptions.SendQueueBytes) => new() { SendQueueBytes = 1000 },
            _ => new() { TimeToLive = 256 },
        };
        using var loop = new EventLoop(SelectorBackend.Epoll);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => UdpEndpoint.Open(loop, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), options));
        Assert.Equal(name, e.ParamName);
        Assert.Contains("use ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_completion_model_on_a_readiness_backend_is_refused_with_the_reason()
    {
        using var loop = new EventLoop(SelectorBackend.Epoll);
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => UdpEndpoint.Open(loop, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions { IoModel = IoModel.Completion }));
        Assert.Contains("needs the io_uring backend", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_in_use_is_the_kernel_s_EADDRINUSE()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var loop = new EventLoop(SelectorBackend.Epoll);
        SyscallException e = Assert.Throws<SyscallException>(() => UdpEndpoint.Open(loop, (IPEndPoint)taken.LocalEndPoint!, new EchoDatagrams()));
        Assert.Equal(Errno.EADDRINUSE, e.Errno);
    }

    [Fact]
    public void Sending_from_another_thread_than_the_loop_s_is_refused()
    {
        using var loop = new DatagramLoop(SelectorBackend.Epoll, new IPEndPoint(IPAddress.Loopback, 0), new EchoDatagrams(), new UdpEndpointOptions());
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => loop.Endpoint.SendTo([1], new IPEndPoint(IPAddress.Loopback, 9)));
        Assert.Contains("use Loop.Post", e.Message, StringComparison.Ordinal);
    }
}
