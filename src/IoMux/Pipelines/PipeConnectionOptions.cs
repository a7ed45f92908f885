using System.Buffers;

namespace IoMux.Pipelines;

/// <summary>How a <see cref="PipeConnection"/>'s two pipes buffer, and where the application's code runs.</summary>
/// <remarks>
/// Back-pressure runs end to end through these thresholds: received bytes the application has not consumed past
/// <see cref="InputPauseThreshold"/> stop the socket being read; written bytes not yet taken by the connection past
/// <see cref="OutputPauseThreshold"/> hold the application's <c>FlushAsync</c>, and the connection takes none while its
/// own write queue is past its high watermark (<see cref="Transport.ConnectionOptions.WriteHighWatermark"/>).
/// </remarks>
public sealed class PipeConnectionOptions
{
    /// <summary>Unconsumed received bytes at which the socket stops being read (default 1 MiB); reading resumes at half.</summary>
    public long InputPauseThreshold { get; init; } = 1024 * 1024;

    /// <summary>Written bytes the connection has not taken at which the application's flush waits (default 64 KiB); it completes at half.</summary>
    public long OutputPauseThreshold { get; init; } = 64 * 1024;

    /// <summary>
    /// Run the application's continuations on the loop thread instead of the thread pool (the default). Saves a thread
    /// hop per read and per flush; the application must then never block, since blocking it blocks every connection on
    /// the loop.
    /// </summary>
    public bool RunApplicationInline { get; init; }

    /// <summary>Where the pipes take their buffers (null: <see cref="MemoryPool{T}.Shared"/>).</summary>
    public MemoryPool<byte>? Pool { get; init; }

    /// <summary>The smallest buffer a pipe hands out (default 16 KiB, the connection's own segment size).</summary>
    public int MinimumSegmentSize { get; init; } = 16 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InputPauseThreshold, 2, nameof(InputPauseThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutputPauseThreshold, 2, nameof(OutputPauseThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumSegmentSize, 1, nameof(MinimumSegmentSize));
    }
}
