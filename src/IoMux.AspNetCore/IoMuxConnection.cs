using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using IoMux.Pipelines;
using IoMux.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace IoMux.AspNetCore;

/// <summary>
/// One accepted connection as Kestrel sees it: a <see cref="PipeConnection"/>'s pipes as the transport, with the
/// features Kestrel and applications ask a transport connection for. What Kestrel does to it maps onto the pipe
/// connection as the Sockets transport maps it onto a socket: completing the output sends what was written, then FIN;
/// <see cref="Abort(ConnectionAbortedException)"/> closes at once, dropping what is queued; <see cref="DisposeAsync"/>
/// ends the connection gracefully and returns once it closed.
/// </summary>
internal sealed class IoMuxConnection : ConnectionContext,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IMemoryPoolFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature, IIoMuxConnectionFeature
{
    private readonly PipeConnection _pipe;
    private readonly FeatureCollection _features = new();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IDictionary<object, object?>? _items;
    private string? _id;

    public IoMuxConnection(PipeConnection pipe, MemoryPool<byte> pool)
    {
        _pipe = pipe;
        MemoryPool = pool;
        Transport = pipe;
        LocalEndPoint = pipe.LocalEndPoint;
        RemoteEndPoint = pipe.RemoteEndPoint;
        ConnectionClosed = pipe.ConnectionClosed;
        // The token is cancelled on the thread pool once the connection closed, so completing here never runs Kestrel's code on the loop.
        pipe.ConnectionClosed.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), _closed);
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IMemoryPoolFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
        _features.Set<IIoMuxConnectionFeature>(this);
    }

    public override string ConnectionId
    {
        get => _id ??= ConnectionIds.Next();
        set => _id = value;
    }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    public long TransportId => _pipe.Id;

    public EventLoop EventLoop => _pipe.Loop;

    public CloseReason? CloseReason => _pipe.CloseReason;

    /// <summary>Completes once Kestrel disposed the connection: the application serving it returns then.</summary>
    internal Task Disposed => _disposed.Task;

    public override void Abort(ConnectionAbortedException abortReason) => _pipe.Abort();

    /// <summary>
    /// Kestrel is done with the connection: both pipes complete, what was written is sent, then a graceful close
    /// (FIN, then the peer's, at most <see cref="IoMuxTransportOptions.LingerTimeout"/>). Returns once the connection
    /// closed, as the Sockets transport returns once its socket is shut down, so nothing Kestrel wrote is still queued
    /// when the server stops.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await _pipe.DisposeAsync().ConfigureAwait(false);
        _disposed.TrySetResult();
        await _closed.Task.ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"IoMux connection {ConnectionId} ({_pipe})";
}
