using IoMux.Transport;
using Microsoft.Extensions.Logging;

namespace IoMux.Cli.Proxy;

/// <summary>The proxy's own log lines (the transport logs its own under its categories).</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "connection {ClientId}: closed, no upstream ({Error}): {Reason}")]
    public static partial void UpstreamFailed(ILogger logger, long clientId, ConnectError error, string reason);
}
