using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>
/// A <c>sockaddr_in</c> or <c>sockaddr_in6</c> held inline (28 bytes, room for either): family in host order,
/// port in network order. What a datagram's source address is copied into without an allocation.
/// </summary>
[InlineArray(Size)]
internal struct SocketAddressBytes
{
    public const int Size = SockAddr.In6Size;
    public const int IPv4Length = SockAddr.In4Size;

    private byte _first;

    public readonly int Family => MemoryMarshal.Read<ushort>(this);

    public readonly int Port => (this[2] << 8) | this[3];

    /// <summary>The length the kernel expects for this address's family.</summary>
    public readonly uint Length => Family == Constants.AF_INET6 ? (uint)Size : IPv4Length;

    public static SocketAddressBytes From(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"{endPoint} is not an IPv4 or IPv6 address; a datagram endpoint speaks UDP over IP", nameof(endPoint));
        }
        SocketAddressBytes address = default;
        SockAddr.EncodeIp(endPoint, address);
        return address;
    }

    public readonly IPEndPoint ToEndPoint() => SockAddr.DecodeIp(this);

    /// <summary>Family, port and address (and the IPv6 scope); the rest of the bytes are padding the kernel may leave unset.</summary>
    public readonly bool SameAs(in SocketAddressBytes other)
    {
        ReadOnlySpan<byte> a = this;
        ReadOnlySpan<byte> b = other;
        return Family == Constants.AF_INET6
            ? a[..4].SequenceEqual(b[..4]) && a[8..28].SequenceEqual(b[8..28])
            : a[..8].SequenceEqual(b[..8]);
    }

    public readonly int Hash()
    {
        ReadOnlySpan<byte> bytes = this;
        var hash = default(HashCode);
        hash.AddBytes(bytes[..4]);
        hash.AddBytes(Family == Constants.AF_INET6 ? bytes[8..28] : bytes[4..8]);
        return hash.ToHashCode();
    }
}
