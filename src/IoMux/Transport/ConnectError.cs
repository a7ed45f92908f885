namespace IoMux.Transport;

/// <summary>Why a connect failed: each outcome a caller may want to handle differently (<see cref="ConnectException.Error"/>).</summary>
public enum ConnectError
{
    /// <summary>
    /// Nothing listens there: the peer answered with a reset (ECONNREFUSED), or a Unix socket's file does not exist
    /// (ENOENT) or has no listener.
    /// </summary>
    Refused,
    /// <summary>No answer within <see cref="ConnectOptions.ConnectTimeout"/>, or the kernel gave up on its SYN retries (ETIMEDOUT).</summary>
    TimedOut,
    /// <summary>No route to the address (ENETUNREACH, EHOSTUNREACH, ENETDOWN): a network or host is down or not configured.</summary>
    Unreachable,
    /// <summary>The host name did not resolve (the resolver failed, or found no address).</summary>
    NameNotResolved,
    /// <summary>The local address is in use (EADDRINUSE on <see cref="ConnectOptions.LocalEndPoint"/>), or no local port is free (EADDRNOTAVAIL).</summary>
    AddressInUse,
    /// <summary>The connect was cancelled: its token, <see cref="PendingConnect.Cancel"/>, the connector stopping or the loop closing.</summary>
    Cancelled,
    /// <summary>Anything else; <see cref="ConnectException.Errno"/> names the errno when there is one.</summary>
    Other,
}
