namespace IoMux.Cli.LoadGen;

/// <summary>What an echo load run does: where to connect, how many connections, what to send, for how long.</summary>
public sealed record LoadOptions
{
    public const int MaxMessageSize = 16 * 1024 * 1024;
    public const int MaxDepth = 65536;
    public const int MaxThreads = 256;

    /// <summary>The server's host name or address, or <c>unix:PATH</c> (<c>unix:@name</c> for an abstract name) for a Unix socket.</summary>
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 10001;

    /// <summary>Whether <see cref="Host"/> names a Unix socket (then <see cref="Port"/> does not apply).</summary>
    public bool IsUnix => UnixAddress.IsUnix(Host);

    /// <summary>The server as messages show it: <c>host:port</c>, or <c>unix:PATH</c>.</summary>
    public string Target => IsUnix ? Host : $"{Host}:{Port}";

    /// <summary>Connections held open for the whole run.</summary>
    public int Connections { get; init; } = 50;

    /// <summary>Bytes per message.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Messages in flight per connection (1 is strict ping-pong).</summary>
    public int Depth { get; init; } = 1;

    /// <summary>How long latencies and throughput are measured, after the warm-up.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Traffic before the measurement starts (JIT, caches, TCP windows), not recorded.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Client threads, each with its own epoll loop and a share of the connections.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>How long every connection may take to connect.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>After the measurement, how long the server has to echo what is still in flight.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first thing wrong with these options, as one line naming the option and the fix; null when valid.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            return "--host is empty; give a host name or an IP address, e.g. --host 127.0.0.1";
        }
        if (!IsUnix && Port is < 1 or > 65535)
        {
            return $"--port {Port} is out of range; use 1..65535";
        }
        if (Connections < 1)
        {
            return $"--connections {Connections} is too small; use at least 1";
        }
        if (Size is < 1 or > MaxMessageSize)
        {
            return $"--size {Size} is out of range; use 1..{MaxMessageSize} bytes";
        }
        if (Depth is < 1 or > MaxDepth)
        {
            return $"--depth {Depth} is out of range; use 1..{MaxDepth} messages in flight per connection";
        }
        if (Duration <= TimeSpan.Zero)
        {
            return $"--duration {Duration.TotalSeconds}s is not positive; give a time such as 10s or 500ms";
        }
        if (Warmup < TimeSpan.Zero)
        {
            return $"--warmup {Warmup.TotalSeconds}s is negative; give 0 or a time such as 2s";
        }
        if (Threads < 1 || Threads > MaxThreads)
        {
            return $"--threads {Threads} is out of range; use 1..{MaxThreads}";
        }
        if (Threads > Connections)
        {
            return $"--threads {Threads} is more than --connections {Connections}; each thread needs at least one connection";
        }
        if ((long)Connections * Depth * Size > 4L * 1024 * 1024 * 1024)
        {
            return $"--connections x --depth x --size is {(long)Connections * Depth * Size / (1024 * 1024)} MiB in flight; keep it under 4096 MiB";
        }
        return null;
    }
}
