using HdrHistogram;

namespace IoMux.Cli.LoadGen;

/// <summary>Round-trip latency percentiles of one run, in microseconds.</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static LatencySummary From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }
        static double Us(long ns) => ns / 1000.0;
        return new LatencySummary(
            Us(histogram.GetValueAtPercentile(50)),
            Us(histogram.GetValueAtPercentile(90)),
            Us(histogram.GetValueAtPercentile(99)),
            Us(histogram.GetValueAtPercentile(99.9)),
            Us(histogram.GetMaxValue()),
            histogram.GetMean() / 1000.0);
    }
}

/// <summary>
/// What one echo load run measured. Throughput counts messages whose echo completed inside the
/// measured window; bytes are payload echoed back (one direction). Any error makes the run a failure.
/// </summary>
public sealed record LoadResult
{
    public required LoadOptions Options { get; init; }

    /// <summary>The address actually connected to.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The measured window as it really lasted (shorter than asked if the run was cancelled).</summary>
    public required TimeSpan Duration { get; init; }

    public required long Messages { get; init; }

    public long Bytes => Messages * Options.Size;

    public double MessagesPerSecond => Duration > TimeSpan.Zero ? Messages / Duration.TotalSeconds : 0;

    public double MebibytesPerSecond => Duration > TimeSpan.Zero ? Bytes / Duration.TotalSeconds / (1024 * 1024) : 0;

    public required LatencySummary Latency { get; init; }

    /// <summary>Per-message round-trip latency in nanoseconds, for callers that want more than the summary.</summary>
    public required HistogramBase Histogram { get; init; }

    /// <summary>Mismatched bytes, early closes, socket errors, messages never echoed: each counted once per connection.</summary>
    public required long Errors { get; init; }

    /// <summary>The first few errors, one line each.</summary>
    public required IReadOnlyList<string> ErrorMessages { get; init; }

    /// <summary>True when the run was cut short (Ctrl+C).</summary>
    public required bool Cancelled { get; init; }

    public bool Succeeded => Errors == 0 && Messages > 0;
}
