using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// How an endpoint's datagrams move, one subclass per I/O model: it receives and hands each datagram to
/// <see cref="UdpEndpoint.Deliver"/>, gets the send queue moving when asked, and on release stops and closes the
/// socket once nothing is in flight. It holds no handler call and no counter.
/// </summary>
internal abstract class DatagramDriver : IDisposable
{
    protected DatagramDriver(UdpEndpoint owner, FileDescriptor socket)
    {
        Owner = owner;
        Socket = socket;
    }

    protected UdpEndpoint Owner { get; }

    protected FileDescriptor Socket { get; }

    protected int Fd => Socket.Fd;

    /// <summary>Starts receiving; a selector that refuses the descriptor (select stops at 1024) throws here.</summary>
    public abstract void Start();

    /// <summary>The send queue holds datagrams the endpoint could not send now: get them moving.</summary>
    public abstract void SendQueued();

    /// <summary>Replies queued inside a batch of receives are to go out together: send them when the batch ends.</summary>
    public abstract void FlushAfterBatch();

    /// <summary>Stops; the socket closes when nothing is in flight.</summary>
    public abstract void Release();

    /// <summary>The same as <see cref="Release"/>: what the driver owns goes once the kernel holds none of it.</summary>
    public void Dispose() => Release();
}
