namespace IoMux.Cli.UdpLoad;

/// <summary>What a UDP echo load run does: where to send, how many clients, what to send, how fast, for how long.</summary>
public sealed record UdpLoadOptions
{
    /// <summary>Bytes of the header every datagram starts with (magic, client, sequence number).</summary>
    public const int HeaderSize = 16;
    public const int MaxSize = 65_507;
    public const int MaxWindow = 4096;

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 10001;

    /// <summary>Clients, each its own connected UDP socket (its own source port).</summary>
    public int Clients { get; init; } = 50;

    /// <summary>Bytes per datagram, header included.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Datagrams in flight per client (closed loop: each answer, or each loss, lets the next one go).</summary>
    public int Window { get; init; } = 1;

    /// <summary>Datagrams per second for all clients together; 0: closed loop (as fast as the window allows).</summary>
    public double Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A datagram not answered this long after it was sent counts as lost, and its window slot is freed.</summary>
    public TimeSpan LossTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Loss above this share of the datagrams sent (0-100 %) makes the run a failure; null: loss is reported, never a failure.</summary>
    public double? LossThresholdPercent { get; init; }

    /// <summary>Client event loops (threads), the clients shared among them.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The first thing wrong with these options, as one line naming the option and the fix; null when valid.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            return "--host is empty; give a host name or an IP address, e.g. --host 127.0.0.1";
        }
        if (Port is < 1 or > 65535)
        {
            return $"--port {Port} is out of range; use 1..65535";
        }
        if (Clients is < 1 or > 10_000)
        {
            return $"--connections {Clients} is out of range for --udp; use 1..10000 clients";
        }
        if (Size is < HeaderSize or > MaxSize)
        {
            return $"--size {Size} is out of range for --udp; use {HeaderSize}..{MaxSize} bytes (each datagram carries a {HeaderSize}-byte header to be checked)";
        }
        if (Window is < 1 or > MaxWindow)
        {
            return $"--depth {Window} is out of range for --udp; use 1..{MaxWindow} datagrams in flight per client";
        }
        if (Rate < 0 || double.IsNaN(Rate) || double.IsInfinity(Rate))
        {
            return $"--rate {Rate} is not a rate; give datagrams per second, or 0 for a closed loop";
        }
        if (Duration <= TimeSpan.Zero)
        {
            return $"--duration {Duration.TotalSeconds}s is not positive; give a time such as 10s or 500ms";
        }
        if (Warmup < TimeSpan.Zero)
        {
            return $"--warmup {Warmup.TotalSeconds}s is negative; give 0 or a time such as 2s";
        }
        if (LossTimeout <= TimeSpan.Zero)
        {
            return $"--loss-timeout {LossTimeout.TotalSeconds}s is not positive; give a time such as 1s";
        }
        if (LossThresholdPercent is { } threshold && (threshold < 0 || threshold > 100 || double.IsNaN(threshold)))
        {
            return $"--loss-threshold {threshold} is out of range; give a percentage from 0 to 100";
        }
        if (Threads < 1 || Threads > Clients)
        {
            return $"--threads {Threads} is out of range; use 1..--connections ({Clients})";
        }
        return null;
    }
}
