using System.Diagnostics;
using HdrHistogram;
using IoMux.Datagrams;
using IoMux.Native;

namespace IoMux.Cli.UdpLoad;

/// <summary>
/// One client of a UDP load run: a connected endpoint with a window of datagrams in flight, each numbered. Sequence
/// <c>s</c> waits in window slot <c>s % window</c>, so what is in flight always lies in the last <c>window</c>
/// numbers sent. An answer is checked byte for byte and classified exactly once: good (its latency recorded), a
/// duplicate, late (after it was counted lost), reordered (behind a later one), or corrupt. Loop thread only.
/// </summary>
internal sealed class UdpLoadClient : IDatagramHandler
{
    private const int SeenBits = 1 << 16;

    private readonly int _id;
    private readonly int _size;
    private readonly int _window;
    private readonly long[] _slotSequence;
    private readonly long[] _slotSentAt;
    private readonly bool[] _slotMeasured;
    private readonly ulong[] _seen = new ulong[SeenBits / 64];
    private readonly byte[] _datagram;
    private readonly LongHistogram _latency;
    private readonly UdpLoadTally _tally;
    private long _next;
    private long _highest = -1;

    public UdpLoadClient(int id, UdpLoadOptions options, LongHistogram latency, UdpLoadTally tally)
    {
        _id = id;
        _size = options.Size;
        _window = options.Window;
        _slotSequence = new long[_window];
        Array.Fill(_slotSequence, -1);
        _slotSentAt = new long[_window];
        _slotMeasured = new bool[_window];
        _datagram = new byte[_size];
        _latency = latency;
        _tally = tally;
    }

    public UdpEndpoint? Endpoint { get; set; }

    /// <summary>Datagrams sent and neither answered nor counted lost yet.</summary>
    public int InFlight { get; private set; }

    /// <summary>Whether the next datagram may go: its window slot is free.</summary>
    public bool CanSend => _slotSequence[_next % _window] < 0;

    /// <summary>Sends the next datagram if its slot is free; <paramref name="measured"/>: it counts in the results.</summary>
    public bool TrySend(bool measured)
    {
        int slot = (int)(_next % _window);
        if (_slotSequence[slot] >= 0)
        {
            return false;
        }
        long sequence = _next++;
        DatagramCheck.Fill(_datagram, _id, sequence);
        _seen[(sequence % SeenBits) >> 6] &= ~(1UL << (int)(sequence % 64));
        _slotSequence[slot] = sequence;
        _slotSentAt[slot] = Stopwatch.GetTimestamp();
        _slotMeasured[slot] = measured;
        InFlight++;
        if (measured)
        {
            _tally.Sent++;
        }
        Endpoint!.Send(_datagram);
        return true;
    }

    /// <summary>Counts as lost what has waited longer than <paramref name="timeoutTicks"/>; how many slots it freed.</summary>
    public int ExpireLost(long now, long timeoutTicks)
    {
        int freed = 0;
        for (int slot = 0; slot < _window; slot++)
        {
            if (_slotSequence[slot] >= 0 && now - _slotSentAt[slot] > timeoutTicks)
            {
                if (_slotMeasured[slot])
                {
                    _tally.Lost++;
                }
                _slotSequence[slot] = -1;
                InFlight--;
                freed++;
            }
        }
        return freed;
    }

    /// <summary>Counts what is still in flight as lost (the run is over).</summary>
    public void GiveUp() => ExpireLost(long.MaxValue, -1);

    public void OnDatagram(UdpEndpoint endpoint, Datagram datagram)
    {
        long now = Stopwatch.GetTimestamp();
        long sequence = DatagramCheck.Check(datagram.Payload, _id, _size);
        if (sequence < 0 || sequence >= _next)
        {
            _tally.Corrupt++;
            _tally.NoteCorrupt(_id, datagram.Payload.Length, _size);
            return;
        }
        ref ulong seenWord = ref _seen[(sequence % SeenBits) >> 6];
        ulong seenBit = 1UL << (int)(sequence % 64);
        int slot = (int)(sequence % _window);
        if (_slotSequence[slot] != sequence)
        {
            // Not in flight: answered before (a duplicate), or counted lost already (late), or too old to tell.
            if (sequence >= _next - SeenBits && (seenWord & seenBit) != 0)
            {
                _tally.Duplicated++;
            }
            else
            {
                _tally.Late++;
            }
            return;
        }
        seenWord |= seenBit;
        _slotSequence[slot] = -1;
        InFlight--;
        if (_slotMeasured[slot])
        {
            _tally.Received++;
            if (sequence < _highest)
            {
                _tally.Reordered++;
            }
            _latency.RecordValue(Math.Max(1, (long)((now - _slotSentAt[slot]) * (1e9 / Stopwatch.Frequency))));
        }
        _highest = Math.Max(_highest, sequence);
        Answered?.Invoke(this);
    }

    public void OnError(UdpEndpoint endpoint, Errno errno) => _tally.NoteError(errno);

    /// <summary>Told after each good answer: a closed loop sends the next datagram here.</summary>
    public Action<UdpLoadClient>? Answered { get; set; }
}
