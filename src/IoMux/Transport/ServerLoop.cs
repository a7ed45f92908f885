using IoMux.Native;

namespace IoMux.Transport;

/// <summary>A server's presence on one loop: its acceptor, its connections and the resources they share.</summary>
internal sealed class ServerLoop
{
    private readonly Acceptor _acceptor;
    private readonly LoopResources _resources;

    public ServerLoop(TcpServer server, EventLoop loop, FileDescriptor listener)
    {
        Loop = loop;
        _resources = new LoopResources(loop, server.Options);
        Connections = new ConnectionSet(loop, _resources, server.Options, server.Options.MaxConnections, server.Counters, server.Logger, server.HandlerFactory);
        _acceptor = new Acceptor(loop, listener, server.Options, server.Counters, server.Logger, socket => Connections.Admit(socket));
    }

    public EventLoop Loop { get; }

    public ConnectionSet Connections { get; }

    public void StartAccepting() => _acceptor.Start();

    /// <summary>Stop accepting; the connections go on.</summary>
    public void StopAccepting() => _acceptor.Close();

    /// <summary>Stop accepting; let every connection flush and close; close the rest at <paramref name="deadline"/>.</summary>
    public void BeginStop(TimeSpan deadline)
    {
        _acceptor.Close();
        Connections.BeginStop(deadline);
    }

    /// <summary>Closes the listener and every connection at once and returns the loop's buffers.</summary>
    public void CloseEverything()
    {
        _acceptor.Close();
        Connections.CloseAll(CloseReason.ServerStopping);
        _resources.ReturnBuffers();
    }
}
