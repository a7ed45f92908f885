using Microsoft.Extensions.Logging;

namespace IoMux.Cli.Proxy;

/// <summary>What the proxy counts across its loops for the summary line (any thread), and where it logs.</summary>
internal sealed class ProxyStats(ILogger logger)
{
    private long _upstreamConnected;
    private long _upstreamFailed;

    public ILogger Logger { get; } = logger;

    public long UpstreamConnects => Interlocked.Read(ref _upstreamConnected);

    public long UpstreamFailures => Interlocked.Read(ref _upstreamFailed);

    public void UpstreamConnected() => Interlocked.Increment(ref _upstreamConnected);

    public void UpstreamFailed() => Interlocked.Increment(ref _upstreamFailed);
}
