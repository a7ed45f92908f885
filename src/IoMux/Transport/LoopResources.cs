using System.Buffers;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// What a server's connections on one loop share: the write queues' segment pool, the gather list a send is
/// described in, and — for the readiness model only — the buffer every read lands in (completion receives use
/// the loop's provided buffers). Also the one place that picks a connection's driver. Loop thread only.
/// </summary>
internal sealed class LoopResources
{
    private readonly EventLoop _loop;
    private readonly ConnectionOptions _options;
    private byte[]? _readBuffer;

    public LoopResources(EventLoop loop, ConnectionOptions options)
    {
        _loop = loop;
        _options = options;
    }

    public SegmentPool Segments { get; } = new();

    public ArraySegment<byte>[] GatherScratch { get; } = new ArraySegment<byte>[Sockets.MaxGatherSegments];

    /// <summary>The loop-wide read buffer (at least <see cref="ConnectionOptions.ReadBufferSize"/> long), rented when the first readiness connection needs it.</summary>
    public byte[] ReadBuffer => _readBuffer ??= ArrayPool<byte>.Shared.Rent(_options.ReadBufferSize);

    /// <summary>A driver of the server's I/O model for <paramref name="socket"/>; throws, owning nothing, when the loop cannot give one.</summary>
    public ConnectionDriver CreateDriver(FileDescriptor socket) => _options.IoModel == IoModel.Completion
        ? new CompletionDriver(socket, _loop.Completions, this)
        : new ReadinessDriver(socket, _loop, this, _options);

    /// <summary>Gives the read buffer back to the shared pool (the server is done on this loop).</summary>
    public void ReturnBuffers()
    {
        if (_readBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = null;
        }
    }
}
