using System.Net;

namespace IoMux.Transport;

/// <summary>The default <see cref="IHostResolver"/>: <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> (the system's resolver: hosts file, DNS).</summary>
public sealed class DnsHostResolver : IHostResolver
{
    private DnsHostResolver()
    {
    }

    /// <summary>The one instance (it keeps no state).</summary>
    public static DnsHostResolver Instance { get; } = new();

    /// <inheritdoc/>
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
