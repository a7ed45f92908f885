using HdrHistogram;
using IoMux.Cli.LoadGen;

namespace IoMux.Cli.UdpLoad;

/// <summary>
/// What a UDP load run measured, for the datagrams sent inside the measured window: each one either answered
/// (received), or lost; besides, answers that were duplicates, late (after their loss was counted), reordered or
/// corrupt. Corruption fails the run; loss fails it only above the threshold the user set.
/// </summary>
public sealed record UdpLoadResult
{
    public required UdpLoadOptions Options { get; init; }

    public required string Endpoint { get; init; }

    public required TimeSpan Duration { get; init; }

    public required long Sent { get; init; }

    public required long Received { get; init; }

    public required long Lost { get; init; }

    public required long Duplicated { get; init; }

    public required long Reordered { get; init; }

    public required long Late { get; init; }

    public required long Corrupt { get; init; }

    public required long SocketErrors { get; init; }

    public required IReadOnlyList<string> Messages { get; init; }

    public required LatencySummary Latency { get; init; }

    public required HistogramBase Histogram { get; init; }

    public required bool Cancelled { get; init; }

    public double LossPercent => Sent == 0 ? 0 : 100.0 * Lost / Sent;

    public double DatagramsPerSecond => Duration > TimeSpan.Zero ? Received / Duration.TotalSeconds : 0;

    public bool LossAboveThreshold => Options.LossThresholdPercent is { } threshold && LossPercent > threshold;

    public bool Succeeded => Corrupt == 0 && Received > 0 && !LossAboveThreshold;
}
