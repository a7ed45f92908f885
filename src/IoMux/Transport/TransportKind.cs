namespace IoMux.Transport;

/// <summary>How a <see cref="TcpServer"/> moves bytes.</summary>
public enum TransportKind
{
    /// <summary>Wait for readiness, then read and write (select, poll, epoll, io_uring polls); any trigger.</summary>
    Readiness,
    /// <summary>
    /// Submit receives and sends to io_uring and react to their completions. Needs loops on
    /// <see cref="SelectorBackend.IoUring"/>; level triggering only (the trigger applies to the listener's poll;
    /// completions have none).
    /// </summary>
    Completion,
}
