using System.Diagnostics;
using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Scaling;

/// <summary>
/// libevent's bench.c on one selector: every reader of a <see cref="SocketPairSet"/> is registered; K
/// one-byte tokens start N/K pairs apart; each wake-up reads its token and passes it on to the next pair,
/// until the chain's hand-offs are spent and every byte has been read. Only the chain is timed.
/// </summary>
internal sealed class WakeChain : IDisposable
{
    /// <summary>A chain waits far less than this between wake-ups; longer means a token was lost.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(10);

    private readonly Selector _selector;
    private readonly SocketPairSet _pairs;
    private readonly Trigger _trigger;
    private readonly SelectorEvent[] _events;
    private readonly byte[] _buffer = new byte[256];

    public WakeChain(SelectorBackend backend, Trigger trigger, SocketPairSet pairs, int maxActive)
    {
        _pairs = pairs;
        _trigger = trigger;
        _events = new SelectorEvent[Math.Max(maxActive, 64)];
        _selector = Selector.Create(backend);
        try
        {
            for (int i = 0; i < pairs.Count; i++)
            {
                _selector.Register(pairs.Reader(i), Interest.Read, i, trigger);
            }
        }
        catch
        {
            _selector.Dispose();
            throw;
        }
    }

    /// <summary>Runs one chain of <paramref name="writes"/> hand-offs with <paramref name="active"/> tokens; returns its wall time.</summary>
    public TimeSpan Run(int active, int writes)
    {
        int n = _pairs.Count;
        if (active < 1 || active > n)
        {
            throw new ArgumentOutOfRangeException(nameof(active), active, $"the active count must be between 1 and the pair count {n}");
        }
        int spacing = n / active;
        long fired = 0;
        long received = 0;
        int writesLeft = writes;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < active; i++)
        {
            Send(i * spacing, 1);
            fired++;
        }
        while (received < fired)
        {
            ReadyEvents ready = _selector.Wait(_events, StallTimeout);
            if (ready.Count == 0)
            {
                throw new InvalidOperationException($"the {_selector.Backend} {_trigger} chain stalled: {received} of {fired} bytes arrived and no wake-up came for {StallTimeout.TotalSeconds} s");
            }
            foreach (SelectorEvent ev in ready)
            {
                int index = (int)ev.State!;
                int got = Drain(ev.Fd);
                if (_trigger == Trigger.OneShot)
                {
                    _selector.Modify(ev.Fd, Interest.Read);
                }
                received += got;
                int pass = Math.Min(got, writesLeft);
                if (pass > 0)
                {
                    Send(index + 1 == n ? 0 : index + 1, pass);
                    writesLeft -= pass;
                    fired += pass;
                }
            }
        }
        return Stopwatch.GetElapsedTime(start);
    }

    public void Dispose() => _selector.Dispose();

    /// <summary>Reads until a short read: an edge-triggered reader must leave nothing behind.</summary>
    private int Drain(int fd)
    {
        int total = 0;
        int got;
        do
        {
            got = Posix.ReadOrThrow(fd, _buffer);
            total += Math.Max(got, 0);
        }
        while (got == _buffer.Length);
        return total;
    }

    private void Send(int index, int bytes)
    {
        int fd = _pairs.Writer(index).Fd;
        if (Posix.WriteOrThrow(fd, _buffer.AsSpan(0, bytes)) != bytes)
        {
            throw new InvalidOperationException($"a {bytes}-byte token did not fit into socketpair {index} (fd {fd})");
        }
    }
}
