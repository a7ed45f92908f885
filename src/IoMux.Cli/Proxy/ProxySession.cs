using System.Net;
using IoMux.Transport;

namespace IoMux.Cli.Proxy;

/// <summary>
/// One accepted client and its upstream connection, on the client's loop: the client is not read until the
/// upstream is connected (its bytes wait in the kernel), and is closed with a logged reason if the upstream
/// cannot be reached.
/// </summary>
internal sealed class ProxySession
{
    private readonly Connector _connector;
    private readonly EndPoint _upstream;
    private readonly ProxyStats _stats;
    private PendingConnect _connecting;

    public ProxySession(Connector connector, EndPoint upstream, ProxyStats stats)
    {
        _connector = connector;
        _upstream = upstream;
        _stats = stats;
        Client = new ProxyLeg(this);
        Upstream = new ProxyLeg(this) { Peer = Client };
        Client.Peer = Upstream;
    }

    public ProxyLeg Client { get; }

    public ProxyLeg Upstream { get; }

    public void Connected(ProxyLeg leg)
    {
        if (leg == Client)
        {
            leg.Connection!.PauseReading();
            _connecting = _connector.Connect(_upstream, Upstream);
            return;
        }
        _stats.UpstreamConnected();
        Client.Connection!.ResumeReading();
    }

    public void Closed(ProxyLeg leg)
    {
        if (leg == Client)
        {
            _connecting.Cancel(); // the client left while its upstream was still connecting
        }
    }

    public void UpstreamFailed(ConnectException exception)
    {
        Connection client = Client.Connection!;
        if (exception.Error == ConnectError.Cancelled && client.IsClosed)
        {
            return; // cancelled because the client had gone
        }
        _stats.UpstreamFailed();
        ProxyLog.UpstreamFailed(_stats.Logger, client.Id, exception.Error, exception.Message);
        client.Close();
    }
}
