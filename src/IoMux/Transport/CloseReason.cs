namespace IoMux.Transport;

/// <summary>Why a connection ended.</summary>
public enum CloseReason
{
    /// <summary>The peer sent EOF; everything queued for it was sent first.</summary>
    PeerClosed,
    /// <summary>The peer reset the connection or it hung up (ECONNRESET, EPIPE, POLLHUP).</summary>
    Reset,
    /// <summary>Another socket error; <see cref="Connection.Error"/> names it.</summary>
    Error,
    /// <summary>Nothing was read or written for the configured idle timeout.</summary>
    IdleTimeout,
    /// <summary>The application called <see cref="Connection.Close"/>; queued output was sent first.</summary>
    Local,
    /// <summary>The application called <see cref="Connection.Abort"/>; queued output was dropped.</summary>
    Aborted,
    /// <summary>The server or connector stopped (or was disposed): queued output was sent within the drain deadline, or dropped after it.</summary>
    ServerStopping,
    /// <summary>The handler threw; <see cref="Connection.HandlerException"/> holds the exception.</summary>
    HandlerFailed,
    /// <summary>A write would have taken queued output past <see cref="ConnectionOptions.MaxQueuedBytes"/>; queued output was dropped.</summary>
    WriteLimitExceeded,
    /// <summary>The kernel took none of the queued output for <see cref="ConnectionOptions.WriteTimeout"/>; queued output was dropped.</summary>
    WriteTimeout,
}

/// <summary>Why an accepted connection was closed at once, before any handler saw it.</summary>
public enum RejectReason
{
    /// <summary>The server already had its maximum number of connections.</summary>
    OverConnectionLimit,
    /// <summary>The loop's selector refused the descriptor (<see cref="DescriptorRefusedException"/>: select stops at 1024).</summary>
    DescriptorRefused,
    /// <summary>The process or system ran out of descriptors (EMFILE / ENFILE); the pending connection was shed.</summary>
    OutOfDescriptors,
    /// <summary>The connection's I/O resources could not be set up (the server's log line says why); nothing of it was kept.</summary>
    SetupFailed,
}
