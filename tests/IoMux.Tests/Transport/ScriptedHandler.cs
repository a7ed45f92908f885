using System.Collections.Concurrent;
using IoMux.Transport;

namespace IoMux.Tests.Transport;

/// <summary>
/// A handler a test scripts callback by callback: each callback runs its delegate (if any) and records what
/// happened, so the test can wait for events in order and inspect what the connection looked like at the time.
/// </summary>
internal sealed class ScriptedHandler : IConnectionHandler
{
    private readonly BlockingCollection<string> _events = [];
    private readonly List<byte> _received = [];
    private bool _inCallback;

    public Action<Connection>? Connected { get; init; }

    public Action<Connection, byte[]>? Data { get; init; }

    public Action<Connection>? Writable { get; init; }

    public Action<Connection>? WriteBlocked { get; init; }

    public Action<Connection>? InputEnded { get; init; }

    public Connection? Connection { get; private set; }

    public CloseReason? Reason { get; private set; }

    /// <summary>Set when a callback started while another of this handler's callbacks was running.</summary>
    public bool Reentered { get; private set; }

    public ManualResetEventSlim Closed { get; } = new();

    public long ReceivedCount
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    public byte[] Received()
    {
        lock (_received)
        {
            return _received.ToArray();
        }
    }

    /// <summary>Waits for the next event and checks it is <paramref name="expected"/> (e.g. "blocked", "writable", "input-ended", "closed:PeerClosed").</summary>
    public void Expect(string expected)
    {
        Assert.True(_events.TryTake(out string? seen, TransportTestKit.Bound), $"waited in vain for '{expected}'");
        Assert.Equal(expected, seen);
    }

    /// <summary>Waits until <paramref name="expected"/> comes, skipping other events.</summary>
    public void ExpectEventually(string expected)
    {
        while (true)
        {
            Assert.True(_events.TryTake(out string? seen, TransportTestKit.Bound), $"waited in vain for '{expected}'");
            if (seen == expected)
            {
                return;
            }
        }
    }

    public void OnConnected(Connection connection)
    {
        Connection = connection;
        Run(() => Connected?.Invoke(connection), "connected");
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        lock (_received)
        {
            _received.AddRange(copy);
        }
        Run(() => Data?.Invoke(connection, copy), null);
    }

    public void OnWritable(Connection connection) => Run(() => Writable?.Invoke(connection), "writable");

    public void OnWriteBlocked(Connection connection) => Run(() => WriteBlocked?.Invoke(connection), "blocked");

    public void OnInputEnded(Connection connection) => Run(() => InputEnded?.Invoke(connection), "input-ended");

    public void OnClosed(Connection connection, CloseReason reason)
    {
        Reentered |= _inCallback;
        Reason = reason;
        _events.Add($"closed:{reason}");
        Closed.Set();
    }

    private void Run(Action action, string? name)
    {
        Reentered |= _inCallback;
        _inCallback = true;
        try
        {
            if (name is not null)
            {
                _events.Add(name);
            }
            action();
        }
        finally
        {
            _inCallback = false;
        }
    }
}
