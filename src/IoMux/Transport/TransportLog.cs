using Microsoft.Extensions.Logging;

namespace IoMux.Transport;

/// <summary>
/// Everything the transport logs, each with its own event id and structured fields (source-generated: nothing
/// is formatted or allocated unless the level is enabled). Ids 1-99 are the server's, connectors' and connections'.
/// </summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Reason} (fd {Fd}, {Backend} backend); connection closed, others keep being served")]
    public static partial void DescriptorRefused(ILogger logger, int fd, SelectorBackend backend, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "fd {Fd} could not be set up ({Reason}); connection closed, others keep being served")]
    public static partial void SetupFailed(ILogger logger, int fd, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "fd {Fd} could not be registered ({Reason}); connection closed")]
    public static partial void RegistrationFailed(ILogger logger, int fd, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "the handler factory failed for fd {Fd}: {Reason}; connection closed")]
    public static partial void HandlerFactoryFailed(ILogger logger, int fd, string reason, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "accept on fd {ListenerFd} failed: {Errno} (out of descriptors); closing new connections until some are free")]
    public static partial void OutOfDescriptors(ILogger logger, int listenerFd, Native.Errno errno);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Cause} (listener fd {ListenerFd}); pausing accepts for {PauseMilliseconds:0} ms")]
    public static partial void AcceptsPaused(ILogger logger, int listenerFd, string cause, double pauseMilliseconds);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "connection {ConnectionId} (fd {Fd}): the handler threw; connection closed")]
    public static partial void HandlerFailed(ILogger logger, long connectionId, int fd, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "connection {ConnectionId} (fd {Fd}) closed: {CloseReason}{ErrnoSuffix}")]
    public static partial void Closed(ILogger logger, long connectionId, int fd, CloseReason closeReason, string errnoSuffix);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "{Message} ({ConnectError})")]
    public static partial void ConnectFailed(ILogger logger, ConnectError connectError, string message);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "the handler's OnConnectFailed threw after: {Message}")]
    public static partial void ConnectHandlerFailed(ILogger logger, string message, Exception exception);
}
