using IoMux.Datagrams;
using IoMux.Native;

namespace IoMux.Cli.Commands;

/// <summary>The echo protocol over UDP (RFC 862): each datagram goes back to its sender as it came. Queueing and batching are the endpoint's job.</summary>
internal sealed class UdpEchoHandler : IDatagramHandler
{
    public static readonly UdpEchoHandler Instance = new();

    public void OnDatagram(UdpEndpoint endpoint, Datagram datagram) => endpoint.SendTo(datagram.Payload, datagram.Remote);

    /// <summary>An unconnected server hears of no peer's ICMP errors; what reaches here is counted by the endpoint and shown at exit.</summary>
    public void OnError(UdpEndpoint endpoint, Errno errno)
    {
    }
}
