using System.Net;
using System.Net.Sockets;

namespace IoMux.Cli;

/// <summary>
/// Unix socket addresses as the command line writes them: <c>unix:PATH</c> (or a bare path where the option says
/// Unix already), and <c>@name</c> for a Linux abstract name, which .NET spells with a leading NUL.
/// </summary>
internal static class UnixAddress
{
    public const string Prefix = "unix:";

    /// <summary>The most bytes a socket path holds (sockaddr_un's 108, less the terminating NUL).</summary>
    private const int MaxPathBytes = 107;

    public static bool IsUnix(string address) => address.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>A path or <c>@name</c> as an endpoint; <paramref name="option"/> names the option in the error for a bad one.</summary>
    public static UnixDomainSocketEndPoint Parse(string text, string option)
    {
        string path = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..] : text;
        if (path.Length == 0 || path == "@")
        {
            throw new UsageException($"{option} '{text}' names no socket; give a path (/run/app.sock) or @name for an abstract name");
        }
        int bytes = System.Text.Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
        {
            throw new UsageException($"{option} '{text}' is {bytes} bytes; a Unix socket address holds at most {MaxPathBytes}, so choose a shorter path");
        }
        return new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
    }

    /// <summary>How an endpoint is shown: <c>unix:/path</c>, <c>unix:@name</c>, or the IP endpoint as is.</summary>
    public static string Describe(EndPoint endPoint) => endPoint is UnixDomainSocketEndPoint ? Prefix + endPoint : endPoint.ToString() ?? "";
}
