using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// Watches an endpoint's datagrams and system calls (the tutorial's prints). Called on the loop thread, inside the
/// event it reports: an implementation must not block, and should not throw (an exception escapes into the loop).
/// </summary>
public interface IDatagramTrace
{
    /// <summary>One receive call (recvmmsg, or an io_uring completion) brought <paramref name="datagrams"/> datagrams.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="datagrams">How many arrived in the call.</param>
    void ReceivedBatch(UdpEndpoint endpoint, int datagrams);

    /// <summary>A datagram of <paramref name="bytes"/> from <paramref name="remote"/> is about to be handed to the handler.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="remote">The sender.</param>
    /// <param name="bytes">Its length as sent.</param>
    /// <param name="truncated">Whether it was cut to the endpoint's largest datagram.</param>
    void Received(UdpEndpoint endpoint, in DatagramAddress remote, int bytes, bool truncated);

    /// <summary>One send call (sendto, sendmmsg or an io_uring sendmsg) took <paramref name="datagrams"/>; <paramref name="queued"/> still wait.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="datagrams">How many the kernel took.</param>
    /// <param name="queued">How many remain queued.</param>
    void Sent(UdpEndpoint endpoint, int datagrams, int queued);

    /// <summary>A datagram for <paramref name="remote"/> was dropped: the bounded send queue was full.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="remote">Where it was going (<see langword="default"/>: the connected peer).</param>
    /// <param name="bytes">Its length.</param>
    void Dropped(UdpEndpoint endpoint, in DatagramAddress remote, int bytes);

    /// <summary>The socket reported <paramref name="errno"/> (see <see cref="IDatagramHandler.OnError"/>).</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="errno">The error.</param>
    void Failed(UdpEndpoint endpoint, Errno errno);
}
