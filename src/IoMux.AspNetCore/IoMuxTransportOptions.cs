using System.Buffers;
using IoMux.Transport;

namespace IoMux.AspNetCore;

/// <summary>
/// How the IoMux transport serves Kestrel's endpoints: the loops (backend, I/O model, trigger, count), where the
/// application's code runs, the buffers and back-pressure, and the sockets' options. Configured through
/// <c>UseIoMux(options =&gt; …)</c> and read once, when an endpoint is bound.
/// </summary>
/// <remarks>
/// The names follow Kestrel's <c>SocketTransportOptions</c> where the two mean the same thing
/// (<see cref="UnsafePreferInlineScheduling"/>, <see cref="MaxReadBufferSize"/>, <see cref="MaxWriteBufferSize"/>,
/// <see cref="Backlog"/>, <see cref="NoDelay"/>), so switching transports is a change of one line.
/// </remarks>
public sealed class IoMuxTransportOptions
{
    /// <summary>
    /// The selector every loop runs on. <see cref="SelectorBackend.Auto"/> (the default) is epoll for readiness and
    /// io_uring for <see cref="IoModel.Completion"/>.
    /// </summary>
    public SelectorBackend Backend { get; set; } = SelectorBackend.Auto;

    /// <summary>Readiness (the default: any backend) or completion (io_uring only, <see cref="Trigger.Level"/> only).</summary>
    public IoModel IoModel { get; set; } = IoModel.Readiness;

    /// <summary>How sockets are registered under readiness (default <see cref="Trigger.Level"/>); the backend must support it.</summary>
    public Trigger Trigger { get; set; } = Trigger.Level;

    /// <summary>
    /// Event loops, each on its own thread, shared by every endpoint the server binds (default: the processor count,
    /// at most 16, as Kestrel's <c>IOQueueCount</c>). TCP endpoints get one SO_REUSEPORT listener per loop.
    /// </summary>
    public int LoopCount { get; set; } = Math.Min(Environment.ProcessorCount, 16);

    /// <summary>
    /// Run Kestrel and the application on the loop thread instead of the thread pool (off by default). Saves a thread
    /// hop per read and per flush; any blocking call in a request then stalls every connection on its loop.
    /// </summary>
    public bool UnsafePreferInlineScheduling { get; set; }

    /// <summary>
    /// Makes the pool each listener's pipes take their buffers from and hands Kestrel through
    /// <c>IMemoryPoolFeature</c> (null: Kestrel's own pool from <c>IMemoryPoolFactory&lt;byte&gt;</c>, as the Sockets
    /// transport uses, or <see cref="MemoryPool{T}.Shared"/> when none is registered). One pool per listener, disposed with it.
    /// </summary>
    public Func<MemoryPool<byte>>? MemoryPoolFactory { get; set; }

    /// <summary>Received bytes Kestrel has not consumed at which the socket stops being read (default 1 MiB; null: no limit).</summary>
    public long? MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>Written bytes the connection has not taken at which Kestrel's flush waits (default 64 KiB; null: no limit).</summary>
    public long? MaxWriteBufferSize { get; set; } = 64 * 1024;

    /// <summary>Bytes queued in a connection for the kernel above which it takes no more from the output pipe (default 1 MiB).</summary>
    public int WriteHighWatermark { get; set; } = 1024 * 1024;

    /// <summary>listen(2) backlog (default 512, as Kestrel's Sockets transport).</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>TCP_NODELAY on every connection (default on, as Kestrel). Ignored when <see cref="Socket"/> is set.</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>Every socket option (buffers, keep-alive, user timeout); null: only <see cref="NoDelay"/>.</summary>
    public SocketOptions? Socket { get; set; }

    /// <summary>
    /// After Kestrel ends a connection gracefully, how long to keep reading (and dropping) until the peer's FIN, so
    /// the close is a FIN rather than a reset that could destroy a response in flight (default 2 s).
    /// </summary>
    public TimeSpan LingerTimeout { get; set; } = TimeSpan.FromSeconds(2);

    internal SelectorBackend EffectiveBackend => Backend == SelectorBackend.Auto && IoModel == IoModel.Completion ? SelectorBackend.IoUring : Backend;
}
