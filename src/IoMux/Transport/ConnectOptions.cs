using System.Net;
using System.Net.Sockets;

namespace IoMux.Transport;

/// <summary>How a <see cref="Connector"/> connects, and how each connection it makes runs (everything in <see cref="ConnectionOptions"/>).</summary>
public sealed class ConnectOptions : ConnectionOptions
{
    /// <summary>
    /// How long one connect may take, name resolution and every address tried included, before it fails with
    /// <see cref="ConnectError.TimedOut"/> (null: no limit of ours; the kernel gives up on unanswered SYNs after about two minutes).
    /// </summary>
    public TimeSpan? ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Turns the host name of a <see cref="DnsEndPoint"/> into addresses; called off the loop thread. Default: <see cref="DnsHostResolver"/>.</summary>
    public IHostResolver Resolver { get; init; } = DnsHostResolver.Instance;

    /// <summary>
    /// The local address each socket is bound to before it connects (an <see cref="IPEndPoint"/>, port 0 for any
    /// free port, or a <see cref="UnixDomainSocketEndPoint"/>), or <see langword="null"/> to let the kernel choose.
    /// </summary>
    public EndPoint? LocalEndPoint { get; init; }

    internal override void Validate()
    {
        base.Validate();
        if (ConnectTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), timeout, "the connect timeout must be positive (or null for none)");
        }
        ArgumentNullException.ThrowIfNull(Resolver);
        if (LocalEndPoint is not (null or IPEndPoint or UnixDomainSocketEndPoint))
        {
            throw new ArgumentOutOfRangeException(nameof(LocalEndPoint), LocalEndPoint, "the local address must be an IPEndPoint or a UnixDomainSocketEndPoint");
        }
    }
}
