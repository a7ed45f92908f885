using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;

namespace IoMux.Cli.LoadGen;

/// <summary>
/// One client thread: its own epoll selector (edge-triggered), its share of the connections, its own
/// latency histogram. Nothing is shared with other workers on the hot path except the read-only clock.
/// </summary>
internal sealed class LoadWorker : IDisposable
{
    private const int IoBufferSize = 64 * 1024;
    private static readonly long MaxWaitTicks = RunClock.ToTicks(TimeSpan.FromMilliseconds(100));

    private readonly List<EchoConnection> _connections = [];
    private readonly Selector _selector = Selector.Create(SelectorBackend.Epoll);
    private readonly SelectorEvent[] _events = new SelectorEvent[512];
    private readonly byte[] _readBuffer = new byte[IoBufferSize];
    private readonly byte[] _writeBuffer = new byte[IoBufferSize];
    private readonly RunClock _clock;
    private readonly ErrorLog _errors;
    private readonly int _depth;
    private long _completed;
    private long _measured;
    private int _connected;

    public LoadWorker(RunClock clock, ErrorLog errors, int depth)
    {
        _clock = clock;
        _errors = errors;
        _depth = depth;
        // 1 ns .. 1 hour at 3 significant digits (0.1% resolution); a longer round trip is recorded as an hour.
        Latency = new LongHistogram(TimeSpan.FromHours(1).Ticks * 100, 3);
    }

    /// <summary>Round-trip latencies (ns) of messages completed inside the measured window.</summary>
    public LongHistogram Latency { get; }

    /// <summary>Messages echoed so far, in any phase (read by the progress display).</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Messages echoed inside the measured window.</summary>
    public long Measured => Volatile.Read(ref _measured);

    public int ConnectedCount => Volatile.Read(ref _connected);

    internal Span<byte> ReadBuffer => _readBuffer;

    internal Span<byte> WriteBuffer => _writeBuffer;

    /// <summary>Opens this worker's connections and waits until every one is established; throws if any cannot be.</summary>
    public void Connect(EndPoint endpoint, IEnumerable<int> connectionIds, MessagePattern pattern, long deadline)
    {
        foreach (int id in connectionIds)
        {
            Socket socket = Connect(endpoint, out bool connected);
            var connection = new EchoConnection(this, id, socket, pattern, _depth) { Connected = connected };
            _connections.Add(connection);
            _selector.Register(socket, Interest.Read | Interest.Write | Interest.ReadHangup, connection, Trigger.Edge);
            if (connected)
            {
                Interlocked.Increment(ref _connected);
            }
        }
        while (ConnectedCount < _connections.Count)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                int pending = _connections.Count - ConnectedCount;
                throw new LoadGeneratorException($"{pending} connections to {UnixAddress.Describe(endpoint)} did not connect in time; is the server accepting (its listen backlog full)?");
            }
            foreach (SelectorEvent ev in _selector.Wait(_events, WaitTime(now, deadline)))
            {
                var connection = (EchoConnection)ev.State!;
                if (connection.Connected)
                {
                    continue;
                }
                var error = (SocketError)(int)connection.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success)
                {
                    throw new LoadGeneratorException($"cannot connect to {UnixAddress.Describe(endpoint)}: {DescribeConnectError(error)}");
                }
                connection.Connected = true;
                Interlocked.Increment(ref _connected);
            }
        }
    }

    /// <summary>Runs traffic until the measured window ends and every issued message has come back or the drain deadline passes.</summary>
    public void Run()
    {
        long now = Stopwatch.GetTimestamp();
        foreach (EchoConnection connection in _connections)
        {
            connection.Start(now);
            CloseIfFailed(connection);
        }
        bool stopping = false;
        while (true)
        {
            now = Stopwatch.GetTimestamp();
            if (!stopping && now >= _clock.MeasureEnd)
            {
                stopping = true;
                foreach (EchoConnection connection in _connections)
                {
                    connection.StopIssuing();
                }
            }
            if (stopping)
            {
                if (AllFinished())
                {
                    return;
                }
                if (now >= _clock.DrainDeadline)
                {
                    FailUnfinished();
                    return;
                }
            }
            long until = stopping ? _clock.DrainDeadline : _clock.MeasureEnd;
            foreach (SelectorEvent ev in _selector.Wait(_events, WaitTime(now, until)))
            {
                var connection = (EchoConnection)ev.State!;
                connection.OnReady(ev.Readiness);
                CloseIfFailed(connection);
            }
        }
    }

    internal void RecordCompletion(long issuedAt, long now)
    {
        Volatile.Write(ref _completed, _completed + 1);
        if (now >= _clock.MeasureStart && now < _clock.MeasureEnd)
        {
            Latency.RecordValue(Math.Clamp(RunClock.TicksToNanoseconds(now - issuedAt), 1, Latency.HighestTrackableValue));
            Volatile.Write(ref _measured, _measured + 1);
        }
    }

    internal void ReportError(EchoConnection connection, string message) => _errors.Add(message);

    public void Dispose()
    {
        foreach (EchoConnection connection in _connections)
        {
            connection.Dispose();
        }
        _selector.Dispose();
    }

    private bool AllFinished()
    {
        foreach (EchoConnection connection in _connections)
        {
            if (!connection.Finished)
            {
                return false;
            }
        }
        return true;
    }

    private void FailUnfinished()
    {
        foreach (EchoConnection connection in _connections)
        {
            if (!connection.Finished)
            {
                long waitedMs = RunClock.TicksToNanoseconds(_clock.DrainDeadline - _clock.MeasureEnd) / 1_000_000;
                // The client's connect completes on the SYN-ACK; a server whose listen backlog is full drops the final ACK
                // and never accepts, so a connection that never echoed anything was most likely never accepted.
                string hint = connection.Echoed == 0 ? "; nothing was ever echoed on it: the server probably never accepted it (listen backlog full?)" : "";
                connection.Fail($"{connection.Outstanding} messages were never echoed (waited {waitedMs} ms after the end){hint}");
            }
        }
    }

    private void CloseIfFailed(EchoConnection connection)
    {
        if (connection.Failed && _selector.TryGetKey(connection.Fd, out _))
        {
            _selector.Unregister(connection.Fd);
        }
    }

    private static TimeSpan WaitTime(long now, long until)
    {
        long ticks = Math.Clamp(until - now, 0, MaxWaitTicks);
        return TimeSpan.FromSeconds(ticks / (double)Stopwatch.Frequency);
    }

    /// <summary>
    /// A non-blocking socket (TCP with TCP_NODELAY, or Unix) that has started connecting to <paramref name="endPoint"/>.
    /// <paramref name="connected"/> is true when the connect finished at once (rare for TCP, even on loopback; the
    /// rule for Unix); otherwise writability says it finished, and SO_ERROR whether it succeeded.
    /// </summary>
    private static Socket Connect(EndPoint endPoint, out bool connected)
    {
        bool unix = endPoint is UnixDomainSocketEndPoint;
        Socket socket = unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false }
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false, NoDelay = true };
        try
        {
            socket.Connect(endPoint);
            connected = true;
        }
        catch (SocketException e) when (!unix && e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            connected = false;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            // A Unix connect never waits: it is refused at once, and EAGAIN means the listener's backlog is full.
            string cause = unix && e.SocketErrorCode == SocketError.WouldBlock
                ? "EAGAIN (the server's listen backlog is full; lower --connections or raise its backlog)"
                : DescribeConnectError(e.SocketErrorCode);
            throw new LoadGeneratorException($"cannot connect to {UnixAddress.Describe(endPoint)}: {cause}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    private static string DescribeConnectError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "ECONNREFUSED (nothing is listening there; start the server or fix --host/--port)",
        SocketError.AddressNotAvailable => "ENOENT or EADDRNOTAVAIL (no socket file there, or no local port free; check the unix: path)",
        SocketError.TimedOut => "ETIMEDOUT (the host did not answer)",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => $"{error} (no route to the host)",
        _ => new SocketException((int)error).Message,
    };
}
