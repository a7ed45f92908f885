using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoMux.Cli.Commands;

/// <summary>
/// An address on the command line: <c>HOST:PORT</c> (<c>[v6]:PORT</c> for an IPv6 literal) or <c>unix:PATH</c>
/// (<c>unix:@NAME</c> for a Linux abstract name). Host names stay names (<see cref="DnsEndPoint"/>) for whoever
/// resolves them.
/// </summary>
internal static class EndPointArgument
{
    private const string UnixPrefix = "unix:";

    /// <summary>Parses <paramref name="text"/>, given for <paramref name="option"/>; throws <see cref="UsageException"/> naming the fix.</summary>
    public static EndPoint Parse(string text, string option)
    {
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            string path = text[UnixPrefix.Length..];
            if (path.Length == 0 || path == "@")
            {
                throw new UsageException($"{option} {text}: the Unix socket needs a path (unix:/run/app.sock) or an abstract name (unix:@app)");
            }
            // An abstract name is spelled with a leading NUL in the address itself.
            string name = path[0] == '@' ? "\0" + path[1..] : path;
            if (System.Text.Encoding.UTF8.GetByteCount(name) > 107)
            {
                throw new UsageException($"{option} {text}: a Unix socket path holds at most 107 bytes; use a shorter path");
            }
            return new UnixDomainSocketEndPoint(name);
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new UsageException($"{option} {text}: write HOST:PORT (127.0.0.1:8080, [::1]:8080, localhost:8080) or unix:PATH");
        }
        string host = text[..colon];
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new UsageException($"{option} {text}: the port must be a number from 0 to 65535");
        }
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw new UsageException($"{option} {text}: put an IPv6 address in brackets, e.g. [::1]:{port}");
        }
        return IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }

    /// <summary>How an address is printed back: the Unix forms as they were written.</summary>
    public static string Format(EndPoint endPoint) => endPoint switch
    {
        UnixDomainSocketEndPoint unix => UnixPrefix + (unix.ToString() is { Length: > 0 } path && path[0] == '\0' ? "@" + path[1..] : unix.ToString()),
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "",
    };
}
