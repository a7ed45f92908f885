using System.Diagnostics;
using System.Net;
using HdrHistogram;
using IoMux.Datagrams;

namespace IoMux.Cli.UdpLoad;

/// <summary>
/// One client loop of a run: its share of the clients, a 1 ms timer that paces a rated run, frees the slots of
/// datagrams not answered in time and moves through the phases (warm-up, measuring, drain), and the loop's own
/// latency histogram and tally. Loop thread only, until the loop has stopped.
/// </summary>
internal sealed class UdpLoadLoop
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly EventLoop _loop;
    private readonly UdpLoadOptions _options;
    private readonly List<UdpLoadClient> _clients = [];
    private readonly long _measureStart;
    private readonly long _measureEnd;
    private readonly long _drainEnd;
    private readonly long _lossTicks;
    private readonly double _perClientPerTick;
    private double[] _tokens = [];
    private long _lastTick;

    public UdpLoadLoop(EventLoop loop, UdpLoadOptions options, long start)
    {
        _loop = loop;
        _options = options;
        _lossTicks = (long)(options.LossTimeout.TotalSeconds * Stopwatch.Frequency);
        _measureStart = start + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        _measureEnd = _measureStart + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        _drainEnd = _measureEnd + _lossTicks;
        _perClientPerTick = options.Rate / options.Clients / Stopwatch.Frequency;
        Latency = new LongHistogram(TimeSpan.FromMinutes(10).Ticks * 100, 3);
    }

    public LongHistogram Latency { get; }

    public UdpLoadTally Tally { get; } = new();

    /// <summary>Opens client <paramref name="id"/>'s endpoint, connected to <paramref name="server"/>, on this loop (before it runs).</summary>
    public void AddClient(int id, IPEndPoint server)
    {
        var client = new UdpLoadClient(id, _options, Latency, Tally);
        var local = new IPEndPoint(server.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0);
        if (IPAddress.IsLoopback(server.Address) is false)
        {
            local = new IPEndPoint(server.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        }
        // A client waits for at most its window of answers: a small queue and batch keep 10,000 clients light.
        client.Endpoint = UdpEndpoint.Open(_loop, local, client, new UdpEndpointOptions
        {
            Remote = server,
            MaxDatagramSize = _options.Size,
            BatchSize = Math.Clamp(_options.Window, 1, 64),
            SendQueueCapacity = Math.Max(_options.Window, 16),
            SendQueueBytes = Math.Max(_options.Window, 16) * _options.Size,
            ReceiveBufferSize = 1 << 20,
        });
        if (_options.Rate == 0)
        {
            client.Answered = SendNextIfClosedLoop;
        }
        _clients.Add(client);
    }

    /// <summary>On the loop thread, once it runs: the first window of each client goes, and the timer starts.</summary>
    public void Begin()
    {
        _tokens = new double[_clients.Count];
        _lastTick = Stopwatch.GetTimestamp();
        if (_options.Rate == 0)
        {
            foreach (UdpLoadClient client in _clients)
            {
                FillWindow(client, _lastTick);
            }
        }
        _loop.ScheduleRepeating(Tick, OnTick);
    }

    public void Close()
    {
        foreach (UdpLoadClient client in _clients)
        {
            client.Endpoint?.Dispose();
        }
    }

    private void OnTick()
    {
        long now = Stopwatch.GetTimestamp();
        bool sending = now < _measureEnd;
        for (int i = 0; i < _clients.Count; i++)
        {
            UdpLoadClient client = _clients[i];
            if (client.ExpireLost(now, _lossTicks) > 0 && sending && _options.Rate == 0)
            {
                FillWindow(client, now);
            }
            if (sending && _options.Rate > 0)
            {
                // A token bucket of at most one window: a rated run that fell behind does not burst to catch up.
                _tokens[i] = Math.Min(_tokens[i] + ((now - _lastTick) * _perClientPerTick), _options.Window);
                while (_tokens[i] >= 1 && client.TrySend(now >= _measureStart))
                {
                    _tokens[i]--;
                }
            }
        }
        _lastTick = now;
        if (!sending && (now > _drainEnd || _clients.TrueForAll(c => c.InFlight == 0)))
        {
            foreach (UdpLoadClient client in _clients)
            {
                client.GiveUp();
            }
            _loop.Stop();
        }
    }

    private void SendNextIfClosedLoop(UdpLoadClient client)
    {
        long now = Stopwatch.GetTimestamp();
        if (now < _measureEnd)
        {
            client.TrySend(now >= _measureStart);
        }
    }

    private void FillWindow(UdpLoadClient client, long now)
    {
        while (client.TrySend(now >= _measureStart))
        {
        }
    }
}
