namespace IoMux.Transport;

/// <summary>
/// Where a connection is in its life; every transition is made by <see cref="Connection"/> alone, for every
/// I/O model (the table is in docs/architecture.md).
/// </summary>
internal enum ConnectionState : byte
{
    /// <summary>Made, not yet started: no handler call has happened and the socket is not served.</summary>
    Created,

    /// <summary>Reading (unless a hold pauses it) and writing.</summary>
    Open,

    /// <summary>The peer sent FIN with output still queued (and half-open is not allowed): the queue is being sent, then the connection closes.</summary>
    InputEnded,

    /// <summary>A graceful close was asked for: the handler reads no more; the queue is being sent.</summary>
    Closing,

    /// <summary>Everything was sent and FIN went out: reading and discarding until the peer's FIN, at most the linger timeout.</summary>
    Lingering,

    /// <summary>The handler was told; the driver gives the socket back once nothing is in flight.</summary>
    Closed,
}

/// <summary>What keeps a connection from reading; it reads only while none holds.</summary>
[Flags]
internal enum ReadHolds : byte
{
    None = 0,

    /// <summary>Queued output passed the high watermark and has not drained to the low one.</summary>
    Watermark = 1,

    /// <summary>The handler asked for a pause (<see cref="Connection.PauseReading"/>).</summary>
    Handler = 2,
}
