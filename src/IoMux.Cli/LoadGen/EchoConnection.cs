using System.Diagnostics;
using System.Net.Sockets;

namespace IoMux.Cli.LoadGen;

/// <summary>
/// One client connection of a load run, driven edge-triggered by its worker's loop: it keeps
/// <c>depth</c> messages issued, writes them as the socket takes them, and checks every echoed byte
/// against the message it must belong to. Positions are (message, offset) pairs on each direction.
/// </summary>
internal sealed class EchoConnection : IDisposable
{
    private readonly LoadWorker _worker;
    private readonly MessagePattern _pattern;
    private readonly int _size;
    private readonly long[] _issuedAt;

    private long _issued;      // messages allowed on the wire: [0, _issued)
    private long _writeSeq;    // next byte to send: message _writeSeq, offset _writeOffset
    private int _writeOffset;
    private long _readSeq;     // next byte expected back: message _readSeq, offset _readOffset
    private int _readOffset;
    private bool _writeBlocked;
    private bool _stopped;

    public EchoConnection(LoadWorker worker, int id, Socket socket, MessagePattern pattern, int depth)
    {
        _worker = worker;
        Id = id;
        Socket = socket;
        Fd = (int)socket.Handle;
        _pattern = pattern;
        _size = pattern.MessageSize;
        _issuedAt = new long[depth];
    }

    public int Id { get; }

    public Socket Socket { get; }

    /// <summary>The socket's descriptor: its name in the selector.</summary>
    public int Fd { get; }

    public bool Connected { get; set; }

    public bool Failed { get; private set; }

    /// <summary>Messages whose echo has fully arrived.</summary>
    public long Echoed => _readSeq;

    /// <summary>Issued messages whose echo has not fully arrived.</summary>
    public long Outstanding => _issued - _readSeq;

    /// <summary>Done once issuing has stopped and everything issued came back (or the connection failed).</summary>
    public bool Finished => Failed || (_stopped && Outstanding == 0);

    /// <summary>Issues the first <c>depth</c> messages and starts writing.</summary>
    public void Start(long now)
    {
        for (int i = 0; i < _issuedAt.Length; i++)
        {
            _issuedAt[i] = now;
        }
        _issued = _issuedAt.Length;
        Flush();
    }

    /// <summary>No new messages from now on; what is issued still goes out and must come back.</summary>
    public void StopIssuing() => _stopped = true;

    /// <summary>Handles one readiness report (edge-triggered: reads until the socket is empty, writes until it is full or nothing is issued).</summary>
    public void OnReady(Readiness readiness)
    {
        if ((readiness & Readiness.Write) != 0)
        {
            _writeBlocked = false;
        }
        if ((readiness & (Readiness.Read | Readiness.ReadHangup | Readiness.Hangup | Readiness.Error)) != 0)
        {
            Drain(toEnd: (readiness & (Readiness.ReadHangup | Readiness.Hangup | Readiness.Error)) != 0);
        }
        if (!Failed)
        {
            Flush();
        }
    }

    public void Fail(string reason)
    {
        if (!Failed)
        {
            Failed = true;
            _worker.ReportError(this, $"connection {Id}: {reason}");
        }
    }

    public void Dispose() => Socket.Dispose();

    /// <summary>
    /// Reads what has arrived. A read that does not fill the buffer emptied the socket, and any byte arriving
    /// later raises a new edge, so the usual read-until-EAGAIN is cut short there (one syscall saved per event,
    /// as tokio does) — unless the peer hung up (<paramref name="toEnd"/>), when the EOF must be read now.
    /// </summary>
    private void Drain(bool toEnd)
    {
        Span<byte> buffer = _worker.ReadBuffer;
        while (true)
        {
            int n = Socket.Receive(buffer, SocketFlags.None, out SocketError error);
            if (n > 0)
            {
                if (!Consume(buffer[..n]) || (n < buffer.Length && !toEnd))
                {
                    return;
                }
                continue;
            }
            if (error == SocketError.Success)
            {
                Fail($"the server closed the connection after echoing {_readSeq} messages, with {Outstanding} still in flight");
                return;
            }
            if (error == SocketError.Interrupted)
            {
                continue;
            }
            if (error != SocketError.WouldBlock)
            {
                Fail($"recv on fd {Fd} failed: {new SocketException((int)error).Message} ({error})");
            }
            return;
        }
    }

    /// <summary>Verifies received bytes and completes messages; false once the connection failed.</summary>
    private bool Consume(ReadOnlySpan<byte> received)
    {
        long sentBytes = (_writeSeq * _size) + _writeOffset;
        long receivedBytes = (_readSeq * _size) + _readOffset;
        // Check what could be an echo first, so a corrupt stream is reported as the byte where it went wrong.
        long excess = receivedBytes + received.Length - sentBytes;
        ReadOnlySpan<byte> echo = excess > 0 ? received[..(int)(received.Length - excess)] : received;
        if (!Verify(echo))
        {
            return false;
        }
        if (excess > 0)
        {
            Fail($"the server sent {excess} bytes more than it was sent");
            return false;
        }
        return true;
    }

    private bool Verify(ReadOnlySpan<byte> received)
    {
        while (!received.IsEmpty)
        {
            int take = Math.Min(received.Length, _size - _readOffset);
            int bad = _pattern.FirstMismatch(received[..take], Id, _readSeq, _readOffset);
            if (bad >= 0)
            {
                int offset = _readOffset + bad;
                Fail($"byte {offset} of message {_readSeq} was 0x{received[bad]:x2}, expected 0x{_pattern.Expected(Id, _readSeq, offset):x2}");
                return false;
            }
            received = received[take..];
            _readOffset += take;
            if (_readOffset == _size)
            {
                Complete();
            }
        }
        return true;
    }

    private void Complete()
    {
        long now = Stopwatch.GetTimestamp();
        int slot = (int)(_readSeq % _issuedAt.Length);
        _worker.RecordCompletion(_issuedAt[slot], now);
        _readSeq++;
        _readOffset = 0;
        if (!_stopped)
        {
            // The message depth places behind this one takes its slot.
            _issuedAt[slot] = now;
            _issued++;
        }
    }

    private void Flush()
    {
        Span<byte> buffer = _worker.WriteBuffer;
        while (!_writeBlocked && _writeSeq < _issued)
        {
            int filled = 0;
            long seq = _writeSeq;
            int offset = _writeOffset;
            while (filled < buffer.Length && seq < _issued)
            {
                int take = Math.Min(_size - offset, buffer.Length - filled);
                _pattern.Fill(buffer.Slice(filled, take), Id, seq, offset);
                filled += take;
                offset += take;
                if (offset == _size)
                {
                    seq++;
                    offset = 0;
                }
            }
            int n = Socket.Send(buffer[..filled], SocketFlags.None, out SocketError error);
            if (error != SocketError.Success)
            {
                if (error == SocketError.WouldBlock)
                {
                    _writeBlocked = true; // the EPOLLOUT edge will say when there is room
                }
                else if (error != SocketError.Interrupted)
                {
                    Fail($"send on fd {Fd} failed: {new SocketException((int)error).Message} ({error})");
                    return;
                }
                continue;
            }
            long position = _writeOffset + (long)n;
            _writeSeq += position / _size;
            _writeOffset = (int)(position % _size);
        }
    }
}
