namespace IoMux.Datagrams;

/// <summary>One received datagram, as <see cref="IDatagramHandler.OnDatagram"/> is told of it: valid only during that call.</summary>
public readonly ref struct Datagram
{
    internal Datagram(ReadOnlySpan<byte> payload, in DatagramAddress remote, int length)
    {
        Payload = payload;
        Remote = remote;
        Length = length;
    }

    /// <summary>The bytes received, in a buffer the endpoint reuses as soon as the handler returns: copy what must outlive the call.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Who sent it; pass it to <see cref="UdpEndpoint.SendTo(ReadOnlySpan{byte}, in DatagramAddress)"/> to reply.</summary>
    public DatagramAddress Remote { get; }

    /// <summary>The datagram's length as sent; more than <see cref="Payload"/> holds when it was truncated.</summary>
    public int Length { get; }

    /// <summary>
    /// The datagram was longer than <see cref="UdpEndpointOptions.MaxDatagramSize"/>: the kernel kept only the first
    /// bytes (MSG_TRUNC), and the rest is gone. Counted in <see cref="UdpEndpointCounters.Truncated"/>.
    /// </summary>
    public bool IsTruncated => Length > Payload.Length;
}
