using System.Net;
using BenchmarkDotNet.Attributes;
using IoMux.Native;
using IoMux.Transport;

namespace IoMux.Benchmarks;

/// <summary>
/// One echo round trip through the event loop and TCP transport, over a socketpair: the client end writes a
/// message, one loop turn (epoll_wait, read, the handler's Write, send) echoes it, the client end reads it back.
/// The server end is served exactly as an accepted TCP connection would be (same connection, handler and loop
/// code); the socketpair keeps the network stack's own cost out of the figure. Steady state must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class EchoRoundTripBenchmarks
{
    private EventLoopGroup _group = null!;
    private TcpServer _server = null!;
    private EventLoop _loop = null!;
    private FileDescriptor _client = null!;
    private byte[] _message = null!;
    private byte[] _reply = null!;

    [Params(Trigger.Level, Trigger.Edge)]
    public Trigger Trigger { get; set; }

    [Params(64, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _message = new byte[Size];
        _reply = new byte[Size];
        Random.Shared.NextBytes(_message);
        // The loop is never started: the benchmark thread drives its turns, so the round trip is measured alone.
        _group = new EventLoopGroup(1, SelectorBackend.Epoll);
        _loop = _group.Loops[0];
        // Port 0: the listener is idle here, only the socketpair carries traffic.
        _server = TcpServer.Start(_group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Echo(), new TcpServerOptions { Trigger = Trigger });
        _loop.RunOnce(); // runs the posted start of accepting
        (FileDescriptor serverEnd, _client) = Descriptors.SocketPair(nonBlocking: true);
        _server.Adopt(serverEnd);
        RoundTrip();
        if (!_reply.AsSpan().SequenceEqual(_message))
        {
            throw new InvalidOperationException("the echo came back different from the message sent");
        }
    }

    [Benchmark]
    public int RoundTrip()
    {
        Descriptors.WriteOrThrow(_client.Fd, _message);
        _loop.RunOnce();
        // A socketpair hands the reply over within the send, so the whole message is there after the turn.
        int n = Descriptors.ReadOrThrow(_client.Fd, _reply);
        return n == Size ? n : throw new InvalidOperationException($"expected {Size} echoed bytes after one turn, read {n}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose(); // the loop is not running, so this closes the listener and connection at once
        _group.Dispose();
    }

    private sealed class Echo : IConnectionHandler
    {
        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }
}
