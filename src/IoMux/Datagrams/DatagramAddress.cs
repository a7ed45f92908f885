using System.Net;
using System.Net.Sockets;
using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// A datagram's remote address (IPv4 or IPv6, with port), held inline: what a handler is told a datagram came from
/// and what it passes back to <see cref="UdpEndpoint.SendTo(ReadOnlySpan{byte}, in DatagramAddress)"/>, without an
/// allocation. <see cref="ToEndPoint"/> makes an <see cref="IPEndPoint"/> (that allocates) when one is wanted.
/// </summary>
public readonly struct DatagramAddress : IEquatable<DatagramAddress>
{
    private readonly SocketAddressBytes _bytes;

    internal DatagramAddress(in SocketAddressBytes bytes) => _bytes = bytes;

    /// <summary>The address of <paramref name="endPoint"/>.</summary>
    /// <param name="endPoint">An IPv4 or IPv6 end point.</param>
    /// <returns>The same address, held inline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="endPoint"/> is neither IPv4 nor IPv6.</exception>
    public static DatagramAddress From(IPEndPoint endPoint) => new(SocketAddressBytes.From(endPoint));

    /// <summary><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>; <see cref="AddressFamily.Unspecified"/> for <see langword="default"/>.</summary>
    public AddressFamily AddressFamily => _bytes.Family switch
    {
        Constants.AF_INET => AddressFamily.InterNetwork,
        Constants.AF_INET6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };

    /// <summary>The UDP port.</summary>
    public int Port => _bytes.Port;

    internal SocketAddressBytes Bytes => _bytes;

    /// <summary>Compares two addresses by family, address and port.</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they name the same remote end.</returns>
    public static bool operator ==(DatagramAddress left, DatagramAddress right) => left.Equals(right);

    /// <summary>Compares two addresses by family, address and port.</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they name different remote ends.</returns>
    public static bool operator !=(DatagramAddress left, DatagramAddress right) => !left.Equals(right);

    /// <summary>The address as an <see cref="IPEndPoint"/> (a new object each call).</summary>
    /// <returns>The end point.</returns>
    /// <exception cref="InvalidOperationException">This is <see langword="default"/>, which names no address.</exception>
    public IPEndPoint ToEndPoint() => AddressFamily == AddressFamily.Unspecified
        ? throw new InvalidOperationException("a default DatagramAddress names no address; take one from a received datagram or DatagramAddress.From")
        : _bytes.ToEndPoint();

    /// <inheritdoc/>
    public bool Equals(DatagramAddress other) => _bytes.SameAs(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DatagramAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bytes.Hash();

    /// <summary>The address as <see cref="IPEndPoint"/> prints it (<c>127.0.0.1:9</c>, <c>[::1]:9</c>), or <c>(none)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => AddressFamily == AddressFamily.Unspecified ? "(none)" : _bytes.ToEndPoint().ToString();
}
