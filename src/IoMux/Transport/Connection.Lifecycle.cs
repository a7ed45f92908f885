using System.Diagnostics;
using System.Runtime.CompilerServices;
using IoMux.Native;
using Microsoft.Extensions.Logging;

namespace IoMux.Transport;

/// <summary>The connection's states and transitions (docs/architecture.md has them as a table), its timers and its handler calls.</summary>
public sealed partial class Connection
{
    private IConnectionHandler? _handler;
    private ConnectionState _state;
    private ReadHolds _holds;
    private bool _inputEnded;
    private bool _outputShut;
    private bool _finSent;
    private bool _blockedUntold;
    private bool _inCallback;
    private CloseReason? _pendingClose;
    private CloseReason _closingReason;
    private LoopTimer? _idleTimer;
    private LoopTimer? _lingerTimer;
    private LoopTimer? _writeTimer;
    private long _lastActivity = Stopwatch.GetTimestamp();
    private long _lastSendProgress;
    private long _openedAt;

    internal ConnectionState State => _state;

    /// <summary>Links in the owner's list of connections (intrusive: joining and leaving allocate nothing).</summary>
    internal Connection? PreviousInSet { get; set; }

    internal Connection? NextInSet { get; set; }

    /// <summary>True once a handler was given the connection (it will be told of the close).</summary>
    internal bool WasStarted => _handler is not null;

    /// <summary>Whether bytes that arrive are wanted: for the handler while open, not held and not at EOF, or to see the peer's FIN while lingering.</summary>
    internal bool WantsInput
    {
        // Asked several times per readiness event; a call NativeAOT would not inline on its own.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_state == ConnectionState.Open && _holds == ReadHolds.None && !_inputEnded) || _state == ConnectionState.Lingering;
    }

    internal WriteQueue Queue => _queue;

    /// <summary>Starts serving: the driver claims the socket (throwing, before any handler call, if it cannot), then the handler is told.</summary>
    internal void Start(IConnectionHandler handler)
    {
        _state = ConnectionState.Open;
        try
        {
            _driver.Start();
        }
        catch
        {
            _state = ConnectionState.Created;
            throw;
        }
        _handler = handler;
        _openedAt = Stopwatch.GetTimestamp();
        TransportMetrics.Opened();
        _trace?.Accepted(this);
        if (_settings.IdleTimeout is { } idle)
        {
            _idleTimer = Loop.Schedule(idle, CheckIdle);
        }
        _inCallback = true;
        try
        {
            handler.OnConnected(this);
        }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HandlerFailed(e);
        }
        EndCallback(outer: false);
        if (WantsInput)
        {
            _driver.ResumeReceiving();
        }
    }

    /// <summary>A graceful close (the application's, or the server stopping): the handler reads no more; close once the queue is sent and the peer answered FIN.</summary>
    internal void BeginClose(CloseReason reason)
    {
        if (_state is not (ConnectionState.Open or ConnectionState.InputEnded))
        {
            return;
        }
        _closingReason = reason;
        _state = ConnectionState.Closing;
        _driver.PauseReceiving();
        if (_queue.IsEmpty)
        {
            FinishClosing();
        }
    }

    /// <summary>Closes at once with <paramref name="reason"/> (queued output is dropped); a no-op when already closed.</summary>
    internal void CloseNow(CloseReason reason)
    {
        if (_state == ConnectionState.Closed)
        {
            return;
        }
        _state = ConnectionState.Closed;
        CloseReason = reason;
        _pendingClose = null;
        _idleTimer?.Cancel();
        _lingerTimer?.Cancel();
        _writeTimer?.Cancel();
        _owner.Closed(this);
        _driver.Release();
        if (_handler is null)
        {
            return; // never started: no handler to tell
        }
        _trace?.Closed(this, reason);
        TransportMetrics.Closed(reason, _openedAt);
        LogClose(reason);
        try
        {
            _handler.OnClosed(this, reason);
        }
#pragma warning disable CA1031 // Nothing is left to undo: the connection is already gone.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HandlerException ??= e;
        }
    }

    private void LogClose(CloseReason reason)
    {
        ILogger logger = _settings.Logger;
        if (reason == CloseReason.HandlerFailed && HandlerException is { } e)
        {
            TransportLog.HandlerFailed(logger, Id, Fd, e);
        }
        if (logger.IsEnabled(LogLevel.Debug))
        {
            TransportLog.Closed(logger, Id, Fd, reason, Error is { } errno ? $" ({errno})" : "");
        }
    }

    /// <summary>Closes at once, or, inside a handler callback, as soon as it returns.</summary>
    private void RequestClose(CloseReason reason)
    {
        if (_inCallback)
        {
            _pendingClose ??= reason;
        }
        else
        {
            CloseNow(reason);
        }
    }

    /// <summary>
    /// Everything queued was sent after a close was asked for. Closing a socket with unread input makes the kernel
    /// send RST, which can destroy replies still in flight to the peer; so send FIN, read and discard until the
    /// peer's EOF, then close — for at most the linger timeout. A peer already at EOF has nothing unread.
    /// </summary>
    private void FinishClosing()
    {
        if (_inputEnded || (!_finSent && !_driver.ShutdownOutput()))
        {
            RequestClose(_closingReason);
            return;
        }
        _finSent = true;
        _trace?.SentEndOfStream(this);
        _state = ConnectionState.Lingering;
        _lingerTimer = Loop.Schedule(_settings.LingerTimeout, () => CloseNow(_closingReason));
        _driver.ResumeReceiving();
    }

    /// <summary>
    /// The half-close asked for by <see cref="ShutdownOutput"/>, once the queue is sent. With the peer's FIN already
    /// in, both directions are done; a refusal means the peer reset meanwhile.
    /// </summary>
    private void SendFin()
    {
        if (!_driver.ShutdownOutput())
        {
            Error = Errno.ENOTCONN;
            RequestClose(CloseReason.Reset);
            return;
        }
        _finSent = true;
        _trace?.SentEndOfStream(this);
        if (_inputEnded)
        {
            RequestClose(CloseReason.PeerClosed);
        }
    }

    /// <summary>Output just passed the high watermark: the handler hears of it once its current callback returns (or at once, outside one).</summary>
    private void BecameBlocked()
    {
        _blockedUntold = true;
        if (!_inCallback)
        {
            TellBlocked();
        }
    }

    private void TellBlocked()
    {
        _blockedUntold = false;
        if (IsOutputBlocked && _pendingClose is null && _state != ConnectionState.Closed)
        {
            CallHandler(HandlerEvent.WriteBlocked);
        }
    }

    private void Hold(ReadHolds hold)
    {
        bool wanted = WantsInput;
        if ((_holds & hold) == 0 && hold == ReadHolds.Watermark)
        {
            TransportMetrics.ReadPaused();
        }
        _holds |= hold;
        if (wanted)
        {
            _driver.PauseReceiving();
        }
    }

    /// <summary>Lifts <paramref name="hold"/>; reading resumes when no other holds it.</summary>
    private void Unhold(ReadHolds hold)
    {
        bool wanted = WantsInput;
        _holds &= ~hold;
        if (!wanted && WantsInput)
        {
            _driver.ResumeReceiving();
        }
    }

    private void CallOnData(ReadOnlySpan<byte> data)
    {
        bool outer = _inCallback;
        _inCallback = true;
        try
        {
            _handler!.OnData(this, data);
        }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HandlerFailed(e);
        }
        EndCallback(outer);
    }

    private void CallHandler(HandlerEvent handlerEvent)
    {
        bool outer = _inCallback;
        _inCallback = true;
        try
        {
            switch (handlerEvent)
            {
                case HandlerEvent.Writable:
                    _handler!.OnWritable(this);
                    break;
                case HandlerEvent.WriteBlocked:
                    _handler!.OnWriteBlocked(this);
                    break;
                case HandlerEvent.InputEnded:
                    _handler!.OnInputEnded(this);
                    break;
            }
        }
#pragma warning disable CA1031 // A handler's failure closes its connection, never the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            HandlerFailed(e);
        }
        EndCallback(outer);
    }

    private void EndCallback(bool outer)
    {
        _inCallback = outer;
        if (outer)
        {
            return;
        }
        if (_pendingClose is { } reason)
        {
            CloseNow(reason);
        }
        else if (_blockedUntold)
        {
            TellBlocked();
        }
    }

    private void HandlerFailed(Exception e)
    {
        HandlerException ??= e;
        _pendingClose ??= CloseReason.HandlerFailed;
    }
}

/// <summary>The handler calls without arguments of their own, made through one guarded path.</summary>
internal enum HandlerEvent : byte
{
    Writable,
    WriteBlocked,
    InputEnded,
}
