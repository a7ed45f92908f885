using IoMux.Transport;

namespace IoMux.Cli.Proxy;

/// <summary>
/// One end of a proxied pair — the client's connection or the upstream's — forwarding what it reads to the other
/// end. Back-pressure crosses the pair: when this end's output is blocked, the other end stops being read until
/// this one drains; a FIN is passed on as a half-close; a reset is passed on as a reset; any other close closes
/// the other end gracefully (what is queued is still sent). Loop thread only; both ends live on one loop.
/// </summary>
internal sealed class ProxyLeg : IConnectHandler
{
    private readonly ProxySession _session;

    public ProxyLeg(ProxySession session) => _session = session;

    public Connection? Connection { get; private set; }

    public ProxyLeg Peer { get; set; } = null!;

    /// <summary>The other end's connection while it is open.</summary>
    private Connection? OpenPeer => Peer.Connection is { IsClosed: false } peer ? peer : null;

    public void OnConnected(Connection connection)
    {
        Connection = connection;
        _session.Connected(this);
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data) => OpenPeer?.Write(data);

    public void OnWriteBlocked(Connection connection) => OpenPeer?.PauseReading();

    public void OnWritable(Connection connection) => OpenPeer?.ResumeReading();

    public void OnInputEnded(Connection connection) => OpenPeer?.ShutdownOutput();

    public void OnClosed(Connection connection, CloseReason reason)
    {
        _session.Closed(this);
        if (OpenPeer is not { } peer)
        {
            return;
        }
        if (reason is CloseReason.Reset or CloseReason.Error)
        {
            peer.Reset();
        }
        else
        {
            peer.Close();
        }
    }

    public void OnConnectFailed(ConnectException exception) => _session.UpstreamFailed(exception);
}
