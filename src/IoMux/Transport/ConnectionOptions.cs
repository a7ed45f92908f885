using Microsoft.Extensions.Logging;

namespace IoMux.Transport;

/// <summary>
/// How each connection runs, whichever end opened it: the I/O model, the write queue's watermarks and limits,
/// timeouts, half-close, socket options, trace and logging. Every limit has a default that keeps memory flat.
/// </summary>
/// <remarks>
/// Whatever takes these options (<see cref="TcpServer.Start"/>, say) checks them and reads them once: a value out
/// of range makes it throw <see cref="ArgumentOutOfRangeException"/> naming the option, and nothing keeps a
/// reference to what changes afterwards (the trace and the logger factory are kept).
/// </remarks>
public abstract class ConnectionOptions
{
    internal const int MaxQueuedBytesCeiling = 1 << 30;

    private protected ConnectionOptions()
    {
    }

    /// <summary>How sockets are registered; the loops' selectors must support it.</summary>
    public Trigger Trigger { get; init; } = Trigger.Level;

    /// <summary>Readiness (any backend) or completion (io_uring loops, level trigger only); see <see cref="EventLoop.IsAvailable"/>.</summary>
    public IoModel IoModel { get; init; } = IoModel.Readiness;

    /// <summary>Close a connection that reads and writes nothing for this long (null: never).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Queued output above which a connection stops being read (per connection).</summary>
    public int WriteHighWatermark { get; init; } = 1024 * 1024;

    /// <summary>
    /// While queued output is above <see cref="WriteHighWatermark"/>, stop reading this connection: the back-pressure a
    /// protocol that answers what it reads (an echo, a request/response server) needs. On by default. A handler that
    /// forwards what it reads to another connection (a proxy) turns it off and pauses the other side itself, on
    /// <see cref="IConnectionHandler.OnWriteBlocked"/>; tying a connection's reading to its own output there could
    /// stall both directions.
    /// </summary>
    public bool PauseReadingWhileBlocked { get; init; } = true;

    /// <summary>Queued output at or below which reading resumes (null: a quarter of the high watermark).</summary>
    public int? WriteLowWatermark { get; init; }

    /// <summary>
    /// Queued output a connection may hold at most (null: the larger of 64 MiB and 4 × the high watermark, at most
    /// 1 GiB). The watermark pauses reading, which bounds an echo; a handler that writes on its own (a broadcast, a
    /// pub-sub fan-out) to a peer that does not read would grow without bound, so a <see cref="Connection.Write"/>
    /// that would pass this limit is refused and the connection aborted with <see cref="CloseReason.WriteLimitExceeded"/>.
    /// </summary>
    public int? MaxQueuedBytes { get; init; }

    /// <summary>Close a connection whose queued output the kernel takes nothing of for this long (null: never), with <see cref="CloseReason.WriteTimeout"/>.</summary>
    public TimeSpan? WriteTimeout { get; init; }

    /// <summary>Size of the read buffer each loop lends to the connection it is serving (readiness; completion receives use the loop's 16 KiB provided buffers).</summary>
    public int ReadBufferSize { get; init; } = 64 * 1024;

    /// <summary>Bytes one connection may read in one loop turn before the others get their turn (readiness; completions are served one chunk at a time in arrival order).</summary>
    public int ReadBudgetPerTurn { get; init; } = 256 * 1024;

    /// <summary>
    /// After a local close has sent everything, how long to keep reading (and discarding) until the peer's EOF,
    /// so the close sends FIN rather than a reset that could destroy replies still in flight.
    /// </summary>
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Keep a connection open for writing after the peer's FIN (a half-close), until the handler calls
    /// <see cref="Connection.ShutdownOutput"/> or <see cref="Connection.Close"/>. Off by default: at the peer's FIN
    /// the connection sends what is queued and closes. Either way the handler is told (<see cref="IConnectionHandler.OnInputEnded"/>).
    /// </summary>
    public bool AllowHalfOpen { get; init; }

    /// <summary>Options set on each socket before its handler is told of it (TCP ones are skipped on Unix sockets).</summary>
    public SocketOptions Socket { get; init; } = new();

    /// <summary>Told of every connection event on the loop thread (null: none); see <see cref="ITransportTrace"/>.</summary>
    public ITransportTrace? Trace { get; init; }

    /// <summary>
    /// Where connections and their listeners log (category <c>IoMux.Transport.TcpServer</c>): refused descriptors,
    /// descriptor exhaustion and paused accepts (warnings), connections that could not be set up (errors), handlers
    /// that threw (warnings), and every close with its reason (debug). Each has its own event id and structured
    /// fields. Null: nothing is logged.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal int EffectiveLowWatermark => WriteLowWatermark ?? WriteHighWatermark / 4;

    internal int EffectiveMaxQueuedBytes => MaxQueuedBytes ?? (int)Math.Min(MaxQueuedBytesCeiling, Math.Max(64L << 20, 4L * WriteHighWatermark));

    internal virtual void Validate()
    {
        if (!Enum.IsDefined(Trigger))
        {
            throw new ArgumentOutOfRangeException(nameof(Trigger), Trigger, "unknown trigger; use Level, Edge or OneShot");
        }
        if (!Enum.IsDefined(IoModel))
        {
            throw new ArgumentOutOfRangeException(nameof(IoModel), IoModel, "unknown I/O model; use Readiness or Completion");
        }
        if (IoModel == IoModel.Completion && Trigger != Trigger.Level)
        {
            throw new ArgumentOutOfRangeException(nameof(Trigger), Trigger, "the completion model has no readiness to trigger on; use Trigger.Level");
        }
        if (IdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), idle, "the idle timeout must be positive (or null for none)");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteHighWatermark, 1);
        if (EffectiveLowWatermark < 0 || EffectiveLowWatermark >= WriteHighWatermark)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteLowWatermark), WriteLowWatermark, "the low watermark must be at least 0 and below the high watermark");
        }
        if (MaxQueuedBytes is { } max && (max < WriteHighWatermark || max > MaxQueuedBytesCeiling))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueuedBytes), max, $"the queue limit must be at least the high watermark ({WriteHighWatermark}) and at most {MaxQueuedBytesCeiling} (1 GiB)");
        }
        if (WriteHighWatermark > MaxQueuedBytesCeiling)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteHighWatermark), WriteHighWatermark, $"the high watermark can be at most {MaxQueuedBytesCeiling} (1 GiB)");
        }
        if (WriteTimeout is { } writeTimeout && writeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteTimeout), writeTimeout, "the write timeout must be positive (or null for none)");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBudgetPerTurn, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(LingerTimeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(Socket);
        Socket.Validate();
    }
}
