using System.Diagnostics;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// What a <see cref="ServerLoop"/> needs of the connections it accepted, whichever way their bytes move:
/// a place in its list, a start, a graceful close and an immediate one.
/// </summary>
internal abstract class ServedConnection : Connection
{
    private LoopTimer? _idleTimer;
    private TimeSpan _idleTimeout;
    private long _lastActivity;

    private protected ServedConnection(EventLoop loop, int fd, long id)
        : base(loop, fd, id) => _lastActivity = Stopwatch.GetTimestamp();

    internal ServedConnection? Previous { get; set; }

    internal ServedConnection? Next { get; set; }

    /// <summary>Starts serving and tells the handler; throws (before anything else happens) when the connection cannot be served.</summary>
    internal abstract void Start(IConnectionHandler handler);

    /// <summary>Stops reading, sends what is queued, then closes with <paramref name="reason"/>.</summary>
    internal abstract void BeginClose(CloseReason reason);

    /// <summary>Closes at once with <paramref name="reason"/>; a no-op when already closed.</summary>
    internal abstract void CloseNow(CloseReason reason);

    /// <summary>The close reason for a socket error: the peer's reset (or timeout) is Reset, anything else Error.</summary>
    private protected static CloseReason ReasonFor(Errno errno) =>
        errno is Errno.ECONNRESET or Errno.EPIPE or Errno.ETIMEDOUT ? CloseReason.Reset : CloseReason.Error;

    /// <summary>Tells the handler, if the connection was ever started, that it closed; an exception it throws is only recorded.</summary>
    private protected void NotifyClosed(IConnectionHandler? handler, ITransportTrace? trace, CloseReason reason)
    {
        if (handler is null)
        {
            return;
        }
        trace?.Closed(this, reason);
        try
        {
            handler.OnClosed(this, reason);
        }
#pragma warning disable CA1031 // Nothing is left to undo: the connection is already gone.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SetHandlerException(e);
        }
    }

    /// <summary>Closes the connection with <see cref="CloseReason.IdleTimeout"/> after <paramref name="idleTimeout"/> without traffic (none: never).</summary>
    private protected void StartIdleTimer(TimeSpan? idleTimeout)
    {
        if (idleTimeout is { } idle)
        {
            _idleTimeout = idle;
            _idleTimer = Loop.Schedule(idle, CheckIdle);
        }
    }

    private protected void StopIdleTimer() => _idleTimer?.Cancel();

    /// <summary>Activity at the loop's turn clock (no clock read per event), for handlers that run after the turn's wait.</summary>
    private protected void NoteActivity() => NoteActivityAt(Loop.TurnTimestamp);

    /// <summary>Activity now: completions are reaped inside the wait, before the turn's clock is read.</summary>
    private protected void NoteActivityNow() => NoteActivityAt(Stopwatch.GetTimestamp());

    /// <summary>Never moves back behind the exact time the connection was made or an earlier activity.</summary>
    private void NoteActivityAt(long timestamp) => _lastActivity = Math.Max(_lastActivity, timestamp);

    private void CheckIdle()
    {
        if (IsClosed)
        {
            return;
        }
        TimeSpan quiet = Stopwatch.GetElapsedTime(_lastActivity);
        if (quiet >= _idleTimeout)
        {
            CloseNow(CloseReason.IdleTimeout);
        }
        else
        {
            _idleTimer!.Reschedule(_idleTimeout - quiet);
        }
    }
}
