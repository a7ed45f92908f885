namespace IoMux.Cli.LoadGen;

/// <summary>Where a run is.</summary>
public enum LoadPhase
{
    Connecting,
    Warmup,
    Measuring,
    Draining,
}

/// <summary>A snapshot of a run in progress, reported a few times a second.</summary>
public readonly record struct LoadProgress(
    LoadPhase Phase,
    int Connected,
    int Connections,
    long Completed,
    long Measured,
    TimeSpan MeasuredElapsed,
    TimeSpan MeasureDuration,
    long Errors);
