namespace IoMux.Cli.Compare;

/// <summary>What one server did under one workload, summed over the rounds.</summary>
internal sealed class Measurement
{
    private readonly List<double> _p99s = [];

    public long Messages { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    public TimeSpan ServerCpu { get; private set; }

    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Messages / Elapsed.TotalSeconds : 0;

    /// <summary>Server user+sys CPU per echoed message, in microseconds.</summary>
    public double CpuMicrosecondsPerMessage => Messages > 0 ? ServerCpu.TotalMicroseconds / Messages : double.NaN;

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

    public void Add(long messages, TimeSpan elapsed, TimeSpan serverCpu, double p99Microseconds, long errors, string? error)
    {
        Messages += messages;
        Elapsed += elapsed;
        ServerCpu += serverCpu;
        _p99s.Add(p99Microseconds);
        Errors += errors;
        FirstError ??= error;
    }
}
