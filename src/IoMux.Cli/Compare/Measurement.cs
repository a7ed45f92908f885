namespace IoMux.Cli.Compare;

/// <summary>What one server did under one workload, summed over the rounds.</summary>
internal sealed class Measurement
{
    private readonly List<double> _p99s = [];
    private readonly List<CpuPerMessage> _cpuByRound = [];

    public long Messages { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    public TimeSpan ServerUser { get; private set; }

    public TimeSpan ServerSystem { get; private set; }

    public TimeSpan ServerCpu => ServerUser + ServerSystem;

    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Messages / Elapsed.TotalSeconds : 0;

    /// <summary>Server user and sys CPU per echoed message over all rounds, in microseconds.</summary>
    public CpuPerMessage Cpu => CpuPerMessage.Of(new ProcessUsage(ServerUser, ServerSystem, 0), Messages);

    /// <summary>The server's CPU per message in each round, in the order the rounds ran.</summary>
    public IReadOnlyList<CpuPerMessage> CpuByRound => _cpuByRound;

    /// <summary>Median over rounds of each round's p99 round trip, in microseconds.</summary>
    public double P99Microseconds
    {
        get
        {
            if (_p99s.Count == 0)
            {
                return double.NaN;
            }
            double[] sorted = [.. _p99s.Order()];
            return sorted[sorted.Length / 2];
        }
    }

    /// <summary>Adds one run: the messages it echoed in its time, and the server's CPU over it (<paramref name="used"/>, a difference of two readings).</summary>
    public void Add(long messages, TimeSpan elapsed, ProcessUsage used, double p99Microseconds, long errors, string? error)
    {
        Messages += messages;
        Elapsed += elapsed;
        ServerUser += used.UserTime;
        ServerSystem += used.SystemTime;
        _p99s.Add(p99Microseconds);
        _cpuByRound.Add(CpuPerMessage.Of(used, messages));
        Errors += errors;
        FirstError ??= error;
    }
}
