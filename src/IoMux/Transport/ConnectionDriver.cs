using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// How one I/O model moves a connection's bytes: the only part of a connection that differs between
/// readiness and completion. A driver makes no decision of its own — no handler call, no watermark, no close
/// policy: it does what <see cref="Connection"/> asks and reports what the kernel said (bytes received, end of
/// stream, bytes sent, an errno, a hang-up), then gives the socket back when told to, once nothing is in flight.
/// </summary>
internal abstract class ConnectionDriver
{
    private Connection? _owner;

    private protected ConnectionDriver(FileDescriptor socket)
    {
        Socket = socket;
        Fd = socket.Fd;
    }

    /// <summary>The socket's number, kept from the start: read on every call, and meaningless once the socket is released.</summary>
    public int Fd { get; }

    /// <summary>
    /// True when the driver reports from inside the loop's wait (completions are reaped there, before the turn's
    /// clock is read), so activity must be timed by the clock itself rather than the turn's timestamp.
    /// </summary>
    public abstract bool ReportsInsideWait { get; }

    private protected FileDescriptor Socket { get; }

    private protected Connection Owner => _owner!;

    /// <summary>Called once by the connection that this driver serves.</summary>
    public void Bind(Connection owner) => _owner = owner;

    /// <summary>Claims the socket for the loop; throws (before any handler call) when the loop cannot serve it. Receiving starts with <see cref="ResumeReceiving"/>.</summary>
    public abstract void Start();

    /// <summary>The connection wants no input for now (<see cref="Connection.WantsInput"/> turned false).</summary>
    public abstract void PauseReceiving();

    /// <summary>The connection wants input (again): deliver what arrives through <see cref="Connection.Received"/>.</summary>
    public abstract void ResumeReceiving();

    /// <summary>Sends at once what the kernel takes of <paramref name="data"/> (the write queue is empty); returns the bytes taken, or -1 after reporting a failure.</summary>
    public abstract int SendNow(ReadOnlySpan<byte> data);

    /// <summary>Queues <paramref name="data"/> behind what is queued (a copy, unless the driver can lend the memory); true when this passed the high watermark.</summary>
    public virtual bool Enqueue(WriteQueue queue, ReadOnlySpan<byte> data) => queue.Append(data);

    /// <summary>The write queue holds bytes: get them moving (reporting progress through <see cref="Connection.Sent"/>).</summary>
    public abstract void SendQueued();

    /// <summary>shutdown(SHUT_WR): FIN after what was sent. False when the socket refuses (the peer is gone).</summary>
    public bool ShutdownOutput() => Sockets.ShutdownWrite(Fd);

    /// <summary>Stops everything; closes the socket once nothing is in flight, then calls <see cref="Connection.DriverReleased"/>.</summary>
    public abstract void Release();
}
