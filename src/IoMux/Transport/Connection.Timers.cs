using System.Diagnostics;

namespace IoMux.Transport;

/// <summary>The connection's clocks: activity for the idle timeout, send progress for the write timeout.</summary>
public sealed partial class Connection
{
    /// <summary>Activity at the loop's turn clock (no clock read per event), or at the clock itself for a driver that reports inside the wait.</summary>
    private void NoteActivity()
    {
        long now = _driver.ReportsInsideWait ? Stopwatch.GetTimestamp() : Loop.TurnTimestamp;
        _lastActivity = Math.Max(_lastActivity, now);
    }

    private void CheckIdle()
    {
        if (IsClosed)
        {
            return;
        }
        TimeSpan quiet = Stopwatch.GetElapsedTime(_lastActivity);
        TimeSpan idle = _settings.IdleTimeout!.Value;
        if (quiet >= idle)
        {
            CloseNow(CloseReason.IdleTimeout);
        }
        else
        {
            _idleTimer!.Reschedule(idle - quiet);
        }
    }

    /// <summary>The queue just got bytes: with a write timeout, the kernel must take some within it, or the connection is closed.</summary>
    private void StartWriteTimer()
    {
        if (_settings.WriteTimeout is not { } timeout)
        {
            return;
        }
        _lastSendProgress = Stopwatch.GetTimestamp();
        if (_writeTimer is null)
        {
            _writeTimer = Loop.Schedule(timeout, CheckWriteProgress);
        }
        else if (!_writeTimer.IsPending)
        {
            _writeTimer.Reschedule(timeout);
        }
    }

    private void CheckWriteProgress()
    {
        if (IsClosed || _queue.IsEmpty)
        {
            return;
        }
        TimeSpan stalled = Stopwatch.GetElapsedTime(_lastSendProgress);
        TimeSpan timeout = _settings.WriteTimeout!.Value;
        if (stalled >= timeout)
        {
            CloseNow(CloseReason.WriteTimeout);
        }
        else
        {
            _writeTimer!.Reschedule(timeout - stalled);
        }
    }
}
