using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IoMux.Datagrams;
using IoMux.Native;

namespace IoMux.Tests.Datagrams;

/// <summary>
/// One loop with one endpoint on it, run on its own thread, and the plain sockets that talk to it. The endpoint
/// opens before the loop runs; closing posts the endpoint's close to the loop and waits for it, then stops the loop.
/// </summary>
internal sealed class DatagramLoop : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly EventLoopGroup _group;

    public DatagramLoop(SelectorBackend backend, IPEndPoint local, IDatagramHandler handler, UdpEndpointOptions options, bool start = true, ILoopTrace? trace = null)
    {
        _group = new EventLoopGroup(1, backend, trace);
        try
        {
            Endpoint = UdpEndpoint.Open(_group.Loops[0], local, handler, options);
        }
        catch
        {
            _group.Dispose();
            throw;
        }
        if (start)
        {
            Start();
        }
    }

    public UdpEndpoint Endpoint { get; }

    public EventLoop Loop => _group.Loops[0];

    public IPEndPoint Address => Endpoint.LocalEndPoint;

    public void Start() => _group.Start();

    /// <summary>Runs <paramref name="action"/> on the loop thread and waits for it.</summary>
    public T OnLoop<T>(Func<T> action)
    {
        T value = default!;
        Exception? failure = null;
        using var done = new ManualResetEventSlim();
        Loop.Post(() =>
        {
            try
            {
                value = action();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }
            done.Set();
        });
        Assert.True(done.Wait(Bound), "the loop did not run a posted action");
        if (failure is not null)
        {
            throw new InvalidOperationException("the action failed on the loop thread", failure);
        }
        return value;
    }

    public void Dispose()
    {
        if (Loop.IsRunning)
        {
            OnLoop(() =>
            {
                Endpoint.Dispose();
                return 0;
            });
        }
        else
        {
            Endpoint.Dispose();
        }
        Assert.Null(_group.Fault);
        _group.Dispose();
    }

    /// <summary>A blocking UDP client on loopback of <paramref name="family"/>, with room for the largest datagrams.</summary>
    public static Socket Client(AddressFamily family = AddressFamily.InterNetwork)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 10_000, ReceiveBufferSize = 1 << 20, SendBufferSize = 1 << 20 };
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        return socket;
    }

    public static void WaitFor(Func<bool> condition, string failure) => Assert.True(SpinWait.SpinUntil(condition, Bound), failure);
}

/// <summary>Echoes each datagram to its sender (RFC 862) and remembers what it was told.</summary>
internal sealed class EchoDatagrams : IDatagramHandler
{
    public ConcurrentQueue<Errno> Errors { get; } = new();

    public ConcurrentQueue<(int Length, int Kept, bool Truncated, byte[] Payload)> Seen { get; } = new();

    /// <summary>Record each datagram's shape (allocates: not for the allocation test).</summary>
    public bool Record { get; init; }

    public void OnDatagram(UdpEndpoint endpoint, Datagram datagram)
    {
        if (Record)
        {
            Seen.Enqueue((datagram.Length, datagram.Payload.Length, datagram.IsTruncated, datagram.Payload.ToArray()));
        }
        endpoint.SendTo(datagram.Payload, datagram.Remote);
    }

    public void OnError(UdpEndpoint endpoint, Errno errno) => Errors.Enqueue(errno);
}
