using System.Diagnostics;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>What the driver reports — the kernel's answers — and what the connection makes of each.</summary>
public sealed partial class Connection
{
    /// <summary>Bytes arrived: the handler's while open; while closing or lingering they are dropped (read only so the close sends FIN, not RST).</summary>
    internal void Received(ReadOnlySpan<byte> data)
    {
        if (_state != ConnectionState.Open)
        {
            return;
        }
        NoteActivity();
        TransportMetrics.Received(data.Length);
        _trace?.Read(this, data.Length);
        CallOnData(data);
    }

    /// <summary>
    /// The peer sent FIN. While open, the handler is told (and may still write); then the connection closes when
    /// both directions are done, flushes and closes (the default), or, half-open, stays open for writing.
    /// </summary>
    internal void InputEnded()
    {
        if (_inputEnded || _state == ConnectionState.Closed)
        {
            return;
        }
        _inputEnded = true;
        _trace?.EndOfStream(this);
        if (_state == ConnectionState.Lingering)
        {
            CloseNow(_closingReason);
            return;
        }
        if (_state != ConnectionState.Open)
        {
            return; // closing: FinishClosing sees the peer is done
        }
        _driver.PauseReceiving();
        CallHandler(HandlerEvent.InputEnded);
        if (_state != ConnectionState.Open)
        {
            return; // the handler closed it
        }
        if (_finSent)
        {
            CloseNow(CloseReason.Local); // this end shut first; the peer's FIN completes the close
        }
        else if (_settings.AllowHalfOpen)
        {
            return;
        }
        else if (_queue.IsEmpty)
        {
            CloseNow(CloseReason.PeerClosed);
        }
        else
        {
            _state = ConnectionState.InputEnded;
        }
    }

    /// <summary>The kernel took <paramref name="bytes"/> of the queue.</summary>
    internal void Sent(int bytes)
    {
        NoteActivity();
        if (_settings.WriteTimeout is not null)
        {
            _lastSendProgress = Stopwatch.GetTimestamp();
        }
        TransportMetrics.Sent(bytes);
        bool drained = _queue.Consume(bytes);
        _trace?.Wrote(this, bytes, _queue.Length);
        if (drained)
        {
            Unhold(ReadHolds.Watermark);
            if (_state is ConnectionState.Open or ConnectionState.InputEnded)
            {
                CallHandler(HandlerEvent.Writable);
            }
        }
        if (!_queue.IsEmpty || _state == ConnectionState.Closed)
        {
            return;
        }
        if (_state == ConnectionState.InputEnded)
        {
            CloseNow(CloseReason.PeerClosed);
        }
        else if (_state == ConnectionState.Open && _outputShut && !_finSent)
        {
            SendFin();
        }
        else if (_state == ConnectionState.Closing)
        {
            FinishClosing();
        }
    }

    /// <summary>A socket error: the peer's reset (or timeout) is <see cref="CloseReason.Reset"/>, anything else <see cref="CloseReason.Error"/>.</summary>
    internal void Failed(Errno errno)
    {
        if (_state == ConnectionState.Closed)
        {
            return;
        }
        Error = errno;
        RequestClose(errno is Errno.ECONNRESET or Errno.EPIPE or Errno.ETIMEDOUT ? CloseReason.Reset : CloseReason.Error);
    }

    /// <summary>
    /// Both directions are shut (POLLHUP): nothing sent can arrive, so nothing queued is worth keeping. While
    /// lingering that is the expected end (our FIN, then the peer's), not a reset.
    /// </summary>
    internal void HungUp() => RequestClose(_state == ConnectionState.Lingering ? _closingReason : CloseReason.Reset);

    /// <summary>The driver closed the socket and holds nothing more: return the queue's segments and leave the server.</summary>
    internal void DriverReleased()
    {
        _queue.Clear();
        _owner.Released(this);
    }
}

/// <summary>The server's per-loop connection set, as a connection reports to it.</summary>
internal interface IConnectionOwner
{
    /// <summary>The connection closed (its handler is told right after); its socket may still be in the driver's hands.</summary>
    void Closed(Connection connection);

    /// <summary>The driver let go of everything: the connection leaves the set.</summary>
    void Released(Connection connection);
}
