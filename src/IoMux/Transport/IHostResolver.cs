using System.Net;

namespace IoMux.Transport;

/// <summary>
/// Turns a host name into addresses for a <see cref="Connector"/>: replace it to resolve through a cache, a
/// service registry or a fixed table. Always called off the loop thread, so it may block.
/// </summary>
public interface IHostResolver
{
    /// <summary>The addresses of <paramref name="host"/>, in the order they are to be tried.</summary>
    /// <param name="host">The host name of the <see cref="DnsEndPoint"/> being connected to.</param>
    /// <param name="cancellationToken">Cancelled when the connect was cancelled.</param>
    /// <returns>The addresses; none, or an exception, fails the connect with <see cref="ConnectError.NameNotResolved"/>.</returns>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
