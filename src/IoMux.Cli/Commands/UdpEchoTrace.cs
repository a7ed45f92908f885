using IoMux.Datagrams;
using IoMux.Native;

namespace IoMux.Cli.Commands;

/// <summary><c>echo --udp --trace</c>: one line per batch, datagram, send call, drop and error.</summary>
internal sealed class UdpEchoTrace(TextWriter output) : IDatagramTrace
{
    public void ReceivedBatch(UdpEndpoint endpoint, int datagrams) => output.WriteLine($"{Name(endpoint)}: received {datagrams} datagram{(datagrams == 1 ? "" : "s")} in one call");

    public void Received(UdpEndpoint endpoint, in DatagramAddress remote, int bytes, bool truncated) =>
        output.WriteLine($"{Name(endpoint)}: datagram of {bytes} bytes from {remote}{(truncated ? $" (truncated to {endpoint.MaxDatagramSize})" : "")}");

    public void Sent(UdpEndpoint endpoint, int datagrams, int queued) => output.WriteLine($"{Name(endpoint)}: sent {datagrams} datagram{(datagrams == 1 ? "" : "s")} in one call ({queued} queued)");

    public void Dropped(UdpEndpoint endpoint, in DatagramAddress remote, int bytes) => output.WriteLine($"{Name(endpoint)}: dropped a {bytes}-byte datagram for {remote}: the send queue is full");

    public void Failed(UdpEndpoint endpoint, Errno errno) => output.WriteLine($"{Name(endpoint)}: socket error {errno}");

    private static string Name(UdpEndpoint endpoint) => $"{endpoint.Loop.Name} udp {endpoint.LocalEndPoint}";
}
