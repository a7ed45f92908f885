using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using IoMux.Pipelines;
using IoMux.Transport;
using Microsoft.AspNetCore.Connections;

namespace IoMux.AspNetCore;

/// <summary>
/// One bound endpoint: a <see cref="TcpServer"/> on the shared loops whose connections, each served through its
/// pipes, wait in a queue for Kestrel's <see cref="AcceptAsync"/>. <see cref="UnbindAsync"/> stops accepting and
/// leaves the connections to Kestrel (which drains and ends them); <see cref="DisposeAsync"/> closes what is left.
/// </summary>
internal sealed class IoMuxConnectionListener : IConnectionListener
{
    private readonly Channel<IoMuxConnection> _accepted = Channel.CreateUnbounded<IoMuxConnection>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly LoopGroupLease _loops;
    private readonly MemoryPool<byte> _pool;
    private readonly SafeSocketHandle? _handed;
    private readonly TimeSpan _drainDeadline;
    private readonly TcpServer _server;
    private Task? _unbound;
    private int _disposed;

    private IoMuxConnectionListener(LoopGroupLease loops, EventLoopGroup group, EndPoint endPoint, IoMuxTransportOptions options, TcpServerOptions serverOptions, MemoryPool<byte> pool)
    {
        _loops = loops;
        _pool = pool;
        _drainDeadline = options.LingerTimeout;
        var pipeOptions = new PipeConnectionOptions
        {
            InputPauseThreshold = options.MaxReadBufferSize ?? long.MaxValue,
            OutputPauseThreshold = options.MaxWriteBufferSize ?? long.MaxValue,
            RunApplicationInline = options.UnsafePreferInlineScheduling,
            Pool = pool,
            // A segment larger than the pool's blocks would come from the array pool instead of the pool Kestrel shares.
            MinimumSegmentSize = Math.Min(16 * 1024, pool.MaxBufferSize),
        };
        Func<Connection, IConnectionHandler> handler = PipeServer.Handler(ServeAsync, pipeOptions);
        if (endPoint is FileHandleEndPoint fileHandle)
        {
            // Kestrel's transports own a handed listener (systemd's LISTEN_FDS, ListenHandle): closed when the listener is disposed.
            _handed = new SafeSocketHandle((nint)fileHandle.FileHandle, ownsHandle: true);
            try
            {
                _server = TcpServer.StartOnListener(group, _handed, handler, serverOptions);
            }
            catch
            {
                _handed.Dispose();
                throw;
            }
        }
        else
        {
            _server = TcpServer.Start(group, endPoint, handler, serverOptions);
        }
        EndPoint = _server.LocalEndPoint;
    }

    public EndPoint EndPoint { get; }

    /// <summary>Binds <paramref name="endPoint"/> on loops leased from <paramref name="loops"/> (returned if the bind fails).</summary>
    public static IoMuxConnectionListener Bind(LoopGroupLease loops, EndPoint endPoint, IoMuxTransportOptions options, TcpServerOptions serverOptions, MemoryPool<byte> pool)
    {
        EventLoopGroup group = loops.Acquire();
        try
        {
            return new IoMuxConnectionListener(loops, group, endPoint, options, serverOptions, pool);
        }
        catch
        {
            loops.Release();
            throw;
        }
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_accepted.Reader.TryRead(out IoMuxConnection? connection))
            {
                return connection;
            }
        }
        return null; // unbound: Kestrel's accept loop ends
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return ValueTask.CompletedTask;
        }
        return new ValueTask(Unbind().WaitAsync(cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await Unbind().ConfigureAwait(false);
        // Accepted but never taken by Kestrel: nobody else will end them.
        while (_accepted.Reader.TryRead(out IoMuxConnection? left))
        {
            left.Abort();
            await left.DisposeAsync().ConfigureAwait(false);
        }
        // What Kestrel ended is still being sent: let it go out (and the peers' FINs come) before the sockets close.
        await _server.StopAsync(_drainDeadline).ConfigureAwait(false);
        _server.Dispose();
        _handed?.Dispose();
        if (_pool != MemoryPool<byte>.Shared)
        {
            _pool.Dispose();
        }
        _loops.Release();
    }

    private Task Unbind()
    {
        lock (_accepted)
        {
            return _unbound ??= StopAcceptingAsync();
        }
    }

    private async Task StopAcceptingAsync()
    {
        await _server.StopAccepting().ConfigureAwait(false);
        _accepted.Writer.TryComplete();
    }

    /// <summary>A connection opened: hand it to Kestrel and keep its pipes until Kestrel disposes it.</summary>
    private Task ServeAsync(PipeConnection pipe, CancellationToken closed)
    {
        var connection = new IoMuxConnection(pipe, _pool);
        if (!_accepted.Writer.TryWrite(connection))
        {
            pipe.Abort(); // accepted as the listener unbound: no one will take it
            return Task.CompletedTask;
        }
        return connection.Disposed;
    }
}
