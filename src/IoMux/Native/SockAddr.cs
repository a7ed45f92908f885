using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static IoMux.Native.Constants;

namespace IoMux.Native;

/// <summary>
/// The kernel's socket addresses: <c>sockaddr_in</c>, <c>sockaddr_in6</c> and <c>sockaddr_un</c>, written into and
/// read from caller-provided bytes, so a connect or bind allocates nothing.
/// </summary>
internal static class SockAddr
{
    /// <summary>Bytes that hold any address here (<c>sockaddr_un</c>, the largest, is 110).</summary>
    public const int MaxSize = 112;

    public const int In6Size = 28;
    public const int In4Size = 16;
    private const int UnixPathOffset = 2;

    /// <summary>The socket family <paramref name="endPoint"/> needs: AF_INET, AF_INET6 or AF_UNIX.</summary>
    public static int Family(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } => AF_INET6,
        IPEndPoint => AF_INET,
        UnixDomainSocketEndPoint => AF_UNIX,
        _ => throw new ArgumentException($"{endPoint} is a {endPoint.GetType().Name}; give an IPEndPoint or a UnixDomainSocketEndPoint (resolve host names first)", nameof(endPoint)),
    };

    /// <summary>
    /// Writes <paramref name="endPoint"/> as the kernel reads it and returns its length. A Unix path is NUL-terminated;
    /// an abstract name (.NET writes it with a leading NUL, shown as <c>@name</c>) is counted without a trailing NUL,
    /// because every byte of its length is part of the name.
    /// </summary>
    public static uint Encode(EndPoint endPoint, Span<byte> address)
    {
        address[..MaxSize].Clear();
        switch (endPoint)
        {
            case IPEndPoint ip:
                return EncodeIp(ip, address);
            case UnixDomainSocketEndPoint unix:
                // Serialize holds the encoded path after the family, with .NET's own choice of trailing NUL.
                SocketAddress serialized = unix.Serialize();
                MemoryMarshal.Write(address, (ushort)AF_UNIX);
                for (int i = UnixPathOffset; i < serialized.Size; i++)
                {
                    address[i] = serialized[i];
                }
                return (uint)serialized.Size;
            default:
                Family(endPoint);
                return 0;
        }
    }

    /// <summary>Reads an address the kernel wrote (getsockname, getpeername).</summary>
    public static EndPoint Decode(ReadOnlySpan<byte> address)
    {
        int family = MemoryMarshal.Read<ushort>(address);
        if (family == AF_UNIX)
        {
            ReadOnlySpan<byte> path = address[UnixPathOffset..];
            if (path.IsEmpty)
            {
                return new UnixDomainSocketEndPoint("\0"); // unnamed: the kernel reports no path for it
            }
            int end = path[0] == 0 ? path.Length : path.IndexOf((byte)0) is >= 0 and int nul ? nul : path.Length;
            return new UnixDomainSocketEndPoint(System.Text.Encoding.UTF8.GetString(path[..end]));
        }
        return DecodeIp(address);
    }

    /// <summary>
    /// Writes an IPv4 or IPv6 address (port in network order, the IPv6 scope kept) into <paramref name="address"/>,
    /// which holds at least <see cref="In6Size"/> bytes and is zeroed, and returns its length.
    /// </summary>
    public static uint EncodeIp(IPEndPoint endPoint, Span<byte> address)
    {
        ushort port = (ushort)endPoint.Port;
        address[2] = (byte)(port >> 8);
        address[3] = (byte)port;
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            MemoryMarshal.Write(address, (ushort)AF_INET6);
            endPoint.Address.TryWriteBytes(address[8..24], out _);
            MemoryMarshal.Write(address[24..], (uint)endPoint.Address.ScopeId);
            return In6Size;
        }
        MemoryMarshal.Write(address, (ushort)AF_INET);
        endPoint.Address.TryWriteBytes(address[4..8], out _);
        return In4Size;
    }

    /// <summary>Reads an IPv4 or IPv6 address the kernel wrote.</summary>
    public static IPEndPoint DecodeIp(ReadOnlySpan<byte> address)
    {
        int port = (address[2] << 8) | address[3];
        return MemoryMarshal.Read<ushort>(address) == AF_INET6
            ? new IPEndPoint(new IPAddress(address[8..24], MemoryMarshal.Read<uint>(address[24..])), port)
            : new IPEndPoint(new IPAddress(address[4..8]), port);
    }

    /// <summary>The file a Unix endpoint names, or <see langword="null"/> for an abstract name (no file).</summary>
    public static string? UnixPath(UnixDomainSocketEndPoint endPoint)
    {
        SocketAddress serialized = endPoint.Serialize();
        if (serialized.Size <= UnixPathOffset || serialized[UnixPathOffset] == 0)
        {
            return null;
        }
        return endPoint.ToString();
    }
}
