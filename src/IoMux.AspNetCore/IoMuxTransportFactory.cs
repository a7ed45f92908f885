using System.Buffers;
using System.Net;
using System.Net.Sockets;
using IoMux.Native;
using IoMux.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoMux.AspNetCore;

/// <summary>
/// Kestrel's transport on IoMux: binds each endpoint Kestrel is given — <see cref="IPEndPoint"/>,
/// <see cref="UnixDomainSocketEndPoint"/>, or <see cref="FileHandleEndPoint"/> (a listening socket handed over by
/// socket activation) — on one shared group of event loops. Registered by <c>UseIoMux()</c>; endpoints it cannot
/// bind (named pipes, say) fall through to the next transport Kestrel has.
/// </summary>
public sealed class IoMuxTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly IoMuxTransportOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly IMemoryPoolFactory<byte>? _memoryPoolFactory;
    private readonly LoopGroupLease _loops;

    /// <summary>Creates the factory; the loops start with the first bind.</summary>
    /// <param name="options">The transport's options, read at each bind.</param>
    /// <param name="loggerFactory">Where the listeners and connections log (category <c>IoMux.Transport.TcpServer</c>), or <see langword="null"/>.</param>
    /// <param name="memoryPoolFactory">Kestrel's pool maker, used when <see cref="IoMuxTransportOptions.MemoryPoolFactory"/> is not set; or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public IoMuxTransportFactory(IOptions<IoMuxTransportOptions> options, ILoggerFactory? loggerFactory = null, IMemoryPoolFactory<byte>? memoryPoolFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _memoryPoolFactory = memoryPoolFactory;
        _loops = new LoopGroupLease(_options);
    }

    /// <summary>Whether <paramref name="endpoint"/> is one this transport binds: an IP, Unix or file-handle endpoint.</summary>
    /// <param name="endpoint">The endpoint Kestrel is about to bind.</param>
    /// <returns><see langword="true"/> for <see cref="IPEndPoint"/>, <see cref="UnixDomainSocketEndPoint"/> and <see cref="FileHandleEndPoint"/>.</returns>
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint or UnixDomainSocketEndPoint or FileHandleEndPoint;

    /// <summary>Listens on <paramref name="endpoint"/> (port 0 picks a free port: the listener's <c>EndPoint</c> has it).</summary>
    /// <param name="endpoint">An IP, Unix or file-handle endpoint.</param>
    /// <param name="cancellationToken">Unused: the bind completes at once.</param>
    /// <returns>The bound listener.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The endpoint's kind is not one this transport binds, or a loop cannot serve the configured I/O model or trigger.</exception>
    /// <exception cref="AddressInUseException">Something else listens there already.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="SyscallException">socket, bind or listen failed for another reason; the message names it.</exception>
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!CanBind(endpoint))
        {
            throw new NotSupportedException($"the IoMux transport cannot bind {endpoint} ({endpoint.GetType().Name}); it binds IPEndPoint, UnixDomainSocketEndPoint and FileHandleEndPoint");
        }
        MemoryPool<byte> pool = _options.MemoryPoolFactory?.Invoke()
            ?? _memoryPoolFactory?.Create(new MemoryPoolOptions { Owner = "iomux" })
            ?? MemoryPool<byte>.Shared;
        try
        {
            return new ValueTask<IConnectionListener>(IoMuxConnectionListener.Bind(_loops, endpoint, _options, ServerOptions(), pool));
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRINUSE)
        {
            DisposePool(pool);
            throw new AddressInUseException($"{endpoint} is in use: another server listens there; stop it or choose another address", e);
        }
        catch
        {
            DisposePool(pool);
            throw;
        }
    }

    private static void DisposePool(MemoryPool<byte> pool)
    {
        if (pool != MemoryPool<byte>.Shared)
        {
            pool.Dispose();
        }
    }

    private TcpServerOptions ServerOptions() => new()
    {
        IoModel = _options.IoModel,
        Trigger = _options.Trigger,
        Backlog = _options.Backlog,
        WriteHighWatermark = _options.WriteHighWatermark,
        LingerTimeout = _options.LingerTimeout,
        Socket = _options.Socket ?? new SocketOptions { NoDelay = _options.NoDelay },
        // Kestrel decides what the peer's FIN means (the response in progress still goes out), as over the Sockets transport.
        AllowHalfOpen = true,
        // The output pipe's threshold holds Kestrel's flushes; tying reading to output as well would stall HTTP/2,
        // whose window updates arrive on the input while a stream's output waits.
        PauseReadingWhileBlocked = false,
        LoggerFactory = _loggerFactory,
    };
}
