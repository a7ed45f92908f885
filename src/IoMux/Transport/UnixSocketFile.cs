using System.Net.Sockets;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// The file a Unix listener bound, removed once when the server stops — only if it is still the same file, so a
/// server that has since taken the path over keeps its own. An abstract name has no file.
/// </summary>
internal sealed class UnixSocketFile
{
    private readonly string _path;
    private readonly FileIdentity _identity;
    private int _removed;

    private UnixSocketFile(string path, FileIdentity identity)
    {
        _path = path;
        _identity = identity;
    }

    /// <summary>The file <paramref name="endPoint"/> just bound, or <see langword="null"/> for an abstract name.</summary>
    public static UnixSocketFile? Of(UnixDomainSocketEndPoint endPoint) =>
        SockAddr.UnixPath(endPoint) is { } path && Files.Identify(path) is { } identity ? new UnixSocketFile(path, identity) : null;

    /// <summary>Removes the file if it is still the one bound; any thread, once.</summary>
    public void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0)
        {
            return;
        }
        try
        {
            if (Files.Identify(_path) == _identity)
            {
                Files.Unlink(_path);
            }
        }
        catch (SyscallException)
        {
            // The directory went away or became unreadable: there is no file of ours left to remove.
        }
    }
}
