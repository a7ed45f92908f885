using Microsoft.Extensions.Logging;

namespace IoMux.Transport;

/// <summary>The per-connection part of a server's options, read once when the server starts.</summary>
internal sealed class ConnectionSettings
{
    public ConnectionSettings(ConnectionOptions options, ILogger logger)
    {
        Logger = logger;
        HighWatermark = options.WriteHighWatermark;
        LowWatermark = options.EffectiveLowWatermark;
        MaxQueuedBytes = options.EffectiveMaxQueuedBytes;
        IdleTimeout = options.IdleTimeout;
        WriteTimeout = options.WriteTimeout;
        LingerTimeout = options.LingerTimeout;
        Trace = options.Trace;
        AllowHalfOpen = options.AllowHalfOpen;
        PauseReadingWhileBlocked = options.PauseReadingWhileBlocked;
    }

    public int HighWatermark { get; }

    public int LowWatermark { get; }

    public int MaxQueuedBytes { get; }

    public TimeSpan? IdleTimeout { get; }

    public TimeSpan? WriteTimeout { get; }

    public TimeSpan LingerTimeout { get; }

    public ITransportTrace? Trace { get; }

    public bool AllowHalfOpen { get; }

    public bool PauseReadingWhileBlocked { get; }

    public ILogger Logger { get; }
}
