using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>What a protocol over UDP implements: told of each datagram and of each error the socket reports. Loop thread only.</summary>
public interface IDatagramHandler
{
    /// <summary>A datagram arrived. Replies sent from here go out in one sendmmsg with the rest of the batch.</summary>
    /// <param name="endpoint">The endpoint that received it.</param>
    /// <param name="datagram">The payload and the sender, valid only during the call.</param>
    void OnDatagram(UdpEndpoint endpoint, Datagram datagram);

    /// <summary>
    /// The socket reported <paramref name="errno"/>: on a connected endpoint, the ICMP error of a datagram sent
    /// earlier (<see cref="Errno.ECONNREFUSED"/> once the peer's port is closed), or a send the kernel refused (that
    /// datagram is dropped and counted in <see cref="UdpEndpointCounters.SendFailed"/>). The endpoint stays open.
    /// May be called from inside a send.
    /// </summary>
    /// <param name="endpoint">The endpoint whose socket reported it.</param>
    /// <param name="errno">The error.</param>
    void OnError(UdpEndpoint endpoint, Errno errno);
}
