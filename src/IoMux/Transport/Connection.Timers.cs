using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace IoMux.Transport;

/// <summary>The connection's clocks: activity for the idle timeout, send progress for the write timeout.</summary>
public sealed partial class Connection
{
    /// <summary>
    /// Activity at the loop's turn clock (no clock read per event), or at the clock itself for a driver that reports
    /// inside the wait. Only the idle timeout reads it, so without one no clock is read at all: the idle timer exists
    /// (from <see cref="Start"/>) exactly when there is an idle timeout. Runs on every read and write, so the test is a
    /// field the caller inlines (NativeAOT, without a profile, inlines nothing larger).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void NoteActivity()
    {
        if (_idleTimer is not null)
        {
            RecordActivity();
        }
    }

    private void RecordActivity()
    {
        long now = _driver.ReportsInsideWait ? Stopwatch.GetTimestamp() : Loop.TurnTimestamp;
        _lastActivity = Math.Max(_lastActivity, now);
    }

    private void CheckIdle()
    {
        if (!IsClosed && Expired(_lastActivity, _settings.IdleTimeout!.Value, _idleTimer!))
        {
            CloseNow(CloseReason.IdleTimeout);
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
        if (!IsClosed && !_queue.IsEmpty && Expired(_lastSendProgress, _settings.WriteTimeout!.Value, _writeTimer!))
        {
            CloseNow(CloseReason.WriteTimeout);
        }
    }

    /// <summary>
    /// Whether <paramref name="limit"/> has passed since <paramref name="since"/>; if not, <paramref name="timer"/> is
    /// set for what remains (one timer per connection, moved instead of re-armed on every event).
    /// </summary>
    private static bool Expired(long since, TimeSpan limit, LoopTimer timer)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(since);
        if (elapsed >= limit)
        {
            return true;
        }
        timer.Reschedule(limit - elapsed);
        return false;
    }
}
