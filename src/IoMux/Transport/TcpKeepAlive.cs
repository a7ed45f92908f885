namespace IoMux.Transport;

/// <summary>
/// TCP keep-alive with its timings (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT): after <see cref="Idle"/>
/// without traffic the kernel probes every <see cref="Interval"/>, and resets the connection after
/// <see cref="ProbeCount"/> unanswered probes (the handler sees <see cref="CloseReason.Reset"/>).
/// </summary>
public sealed class TcpKeepAlive
{
    internal const int MaxSeconds = 32767; // the kernel's MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL
    internal const int MaxProbes = 127;

    /// <summary>Quiet time before the first probe, in whole seconds from 1 s to 32,767 s.</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Time between probes, in whole seconds from 1 s to 32,767 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Unanswered probes before the connection is reset, from 1 to 127.</summary>
    public int ProbeCount { get; init; } = 4;

    internal void Validate()
    {
        CheckSeconds(Idle, "SocketOptions.KeepAlive.Idle");
        CheckSeconds(Interval, "SocketOptions.KeepAlive.Interval");
        if (ProbeCount is < 1 or > MaxProbes)
        {
            throw new ArgumentOutOfRangeException("SocketOptions.KeepAlive.ProbeCount", ProbeCount, $"keep-alive probes must number 1 to {MaxProbes}");
        }
    }

    private static void CheckSeconds(TimeSpan value, string name)
    {
        if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromSeconds(MaxSeconds) || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"keep-alive timings are whole seconds from 1 to {MaxSeconds}");
        }
    }
}
