namespace IoMux.Native;

/// <summary>Linux constants of UDP sockets (x86-64 and arm64 agree on every value here).</summary>
internal static class DatagramConstants
{
    public const int IPPROTO_IP = 0;
    public const int IPPROTO_IPV6 = 41;
    public const int IP_TTL = 2;
    public const int IPV6_UNICAST_HOPS = 16;
    public const int IPV6_V6ONLY = 26;

    /// <summary>In a receive's flags: report a datagram's real length; in the message flags: it did not fit.</summary>
    public const int MSG_TRUNC = 0x20;

    /// <summary>The most a UDP payload can be: 65,535 minus the 8-byte UDP and 20-byte IPv4 headers.</summary>
    public const int MaxPayload = 65_507;
}
