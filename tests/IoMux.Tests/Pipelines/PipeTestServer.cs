using System.Net;
using System.Net.Sockets;
using IoMux.Pipelines;
using IoMux.Transport;

namespace IoMux.Tests.Pipelines;

/// <summary>A pipe server on one loop of the given mode, with its application, its counters, and a loopback client.</summary>
internal sealed class PipeTestServer : IDisposable
{
    private readonly EventLoopGroup _group;

    public PipeTestServer(SelectorBackend backend, Trigger trigger, IoModel model, Func<PipeConnection, Task> application,
        PipeConnectionOptions? pipeOptions = null, int highWatermark = 1024 * 1024, int? maxQueued = null, TimeSpan? idleTimeout = null, bool allowHalfOpen = true, int? receiveBuffer = null)
    {
        _group = new EventLoopGroup(1, backend);
        Server = PipeServer.Start(_group, new IPEndPoint(IPAddress.Loopback, 0), (connection, _) =>
        {
            Connections.Add(connection);
            return application(connection);
        }, new TcpServerOptions
        {
            Trigger = trigger, IoModel = model, WriteHighWatermark = highWatermark, MaxQueuedBytes = maxQueued,
            IdleTimeout = idleTimeout, AllowHalfOpen = allowHalfOpen,
            Socket = new SocketOptions { ReceiveBufferSize = receiveBuffer },
        }, pipeOptions);
        _group.Start();
    }

    public TcpServer Server { get; }

    public System.Collections.Concurrent.ConcurrentBag<PipeConnection> Connections { get; } = [];

    public EventLoop Loop => _group.Loops[0];

    /// <summary>What ended a loop, if one failed (an exception escaping onto the loop thread).</summary>
    public Exception? Fault => _group.Fault;

    public Socket Connect(int receiveBuffer = 0) => Transport.TransportTestKit.Connect(Server, receiveBuffer);

    public void Dispose()
    {
        Server.Dispose();
        _group.Dispose();
    }
}
