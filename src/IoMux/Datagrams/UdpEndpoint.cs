using System.Net;
using System.Net.Sockets;
using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>
/// A UDP socket on one <see cref="EventLoop"/>: bound (IPv4, IPv6 or dual-stack), optionally connected, its datagrams
/// handed one by one to an <see cref="IDatagramHandler"/> and read in batches (recvmmsg on readiness, a multishot
/// io_uring recvmsg on completion). <see cref="SendTo(ReadOnlySpan{byte}, in DatagramAddress)"/> tries the kernel at
/// once; what the kernel refuses for now, and replies sent while a batch is being handled (they leave together in one
/// sendmmsg), wait in a bounded queue, and a datagram that would overflow it is dropped and counted.
/// </summary>
/// <remarks>
/// Everything but <see cref="Counters"/> and the read-only properties belongs to the loop thread, or to the owner
/// before the loop runs. Steady state allocates nothing per datagram: payloads land in buffers the endpoint owns, the
/// sender's address is held inline in a <see cref="DatagramAddress"/>, and queued datagrams are copied into a ring.
/// </remarks>
public sealed unsafe class UdpEndpoint : IDisposable
{
    private static readonly Version MultishotReceiveKernel = new(6, 0);

    private readonly IDatagramHandler _handler;
    private readonly IDatagramTrace? _trace;
    private readonly DatagramDriver _driver;
    private readonly int _fd;
    private long _received;
    private long _truncated;
    private long _sent;
    private long _dropped;
    private long _sendFailed;
    private long _errors;
    private long _receiveCalls;
    private long _sendCalls;
    private bool _deferring;
    private bool _closed;

    private UdpEndpoint(EventLoop loop, FileDescriptor socket, IDatagramHandler handler, UdpEndpointOptions options)
    {
        Loop = loop;
        _handler = handler;
        _trace = options.Trace;
        IoModel = options.IoModel;
        MaxDatagramSize = options.MaxDatagramSize;
        Queue = new SendQueue(options.SendQueueCapacity, options.SendQueueBytes);
        _fd = socket.Fd;
        LocalEndPoint = (IPEndPoint)Sockets.LocalEndPoint(socket.Fd);
        RemoteEndPoint = options.Remote;
        _driver = options.IoModel == IoModel.Completion
            ? new CompletionDatagramDriver(this, socket, loop.Completions, options, loop)
            : new ReadinessDatagramDriver(this, socket, loop, options);
    }

    /// <summary>The loop the endpoint runs on.</summary>
    public EventLoop Loop { get; }

    /// <summary>The address the socket is bound to (the real port after binding port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The peer the socket is connected to, or <see langword="null"/>.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>How datagrams move: readiness (recvmmsg / sendmmsg) or completion (io_uring).</summary>
    public IoModel IoModel { get; }

    /// <summary>The largest datagram received whole (<see cref="UdpEndpointOptions.MaxDatagramSize"/>).</summary>
    public int MaxDatagramSize { get; }

    /// <summary>True once <see cref="Dispose"/> was called.</summary>
    public bool IsClosed => _closed;

    /// <summary>Datagrams waiting in the send queue.</summary>
    public int QueuedDatagrams => Queue.Count;

    /// <summary>Payload bytes waiting in the send queue (never more than <see cref="UdpEndpointOptions.SendQueueBytes"/>).</summary>
    public int QueuedBytes => Queue.Bytes;

    /// <summary>What the endpoint has done so far. Any thread (a snapshot; the loop may be counting on).</summary>
    public UdpEndpointCounters Counters => new(
        Volatile.Read(ref _received), Volatile.Read(ref _truncated), Volatile.Read(ref _sent), Volatile.Read(ref _dropped),
        Volatile.Read(ref _sendFailed), Volatile.Read(ref _errors), Volatile.Read(ref _receiveCalls), Volatile.Read(ref _sendCalls));

    internal SendQueue Queue { get; }

    /// <summary>The socket's descriptor number, for tests that ask the kernel what it was given.</summary>
    internal int Fd => _fd;

    /// <summary>
    /// Binds a UDP socket to <paramref name="localEndPoint"/> on <paramref name="loop"/> and starts receiving. Loop thread
    /// only, or before the loop runs (open the endpoints of an <see cref="EventLoopGroup"/> before <see cref="EventLoopGroup.Start"/>).
    /// </summary>
    /// <param name="loop">The loop to run on.</param>
    /// <param name="localEndPoint">Where to bind: an IPv4 or IPv6 address (port 0 picks a free port).</param>
    /// <param name="handler">Told of each datagram and error.</param>
    /// <param name="options">How to run (null: the defaults).</param>
    /// <returns>The open endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/>, <paramref name="localEndPoint"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and the fix.</exception>
    /// <exception cref="ArgumentException">An end point is neither IPv4 nor IPv6.</exception>
    /// <exception cref="NotSupportedException">The loop cannot serve the I/O model or the trigger; the message says why.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    /// <exception cref="SyscallException">The kernel refused the socket, an option, the bind (EADDRINUSE) or the connect.</exception>
    /// <exception cref="DescriptorRefusedException">The selector refused the socket (select stops at descriptor 1023).</exception>
    public static UdpEndpoint Open(EventLoop loop, IPEndPoint localEndPoint, IDatagramHandler handler, UdpEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(localEndPoint);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= new UdpEndpointOptions();
        options.Validate();
        if (!EventLoop.IsAvailable(options.IoModel, loop.Selector.Backend, out string? refusal))
        {
            throw new NotSupportedException($"{loop.Name}: {refusal}");
        }
        if (!loop.Selector.Supports(options.Trigger))
        {
            throw new NotSupportedException($"the {loop.Selector.Backend.ToString().ToLowerInvariant()} backend of {loop.Name} does not support {options.Trigger} triggering");
        }
        if (options.IoModel == IoModel.Completion && Environment.OSVersion.Version < MultishotReceiveKernel)
        {
            throw new NotSupportedException($"UDP on the completion model needs Linux {MultishotReceiveKernel.Major}.{MultishotReceiveKernel.Minor} (multishot recvmsg); this kernel is {Environment.OSVersion.Version}: use IoModel.Readiness");
        }
        if (loop.IsRunning && !loop.IsLoopThread)
        {
            throw new InvalidOperationException($"event loop '{loop.Name}' belongs to its own thread; open the endpoint there (Post) or before the loop runs");
        }
        FileDescriptor socket = DatagramSockets.Open(localEndPoint, options.DualStack, options.ReusePort);
        UdpEndpoint? endpoint = null;
        try
        {
            bool ipv6 = localEndPoint.AddressFamily == AddressFamily.InterNetworkV6;
            if (options.ReceiveBufferSize is { } receive)
            {
                DatagramSockets.SetReceiveBuffer(socket.Fd, receive);
            }
            if (options.SendBufferSize is { } send)
            {
                DatagramSockets.SetSendBuffer(socket.Fd, send);
            }
            if (options.TimeToLive is { } hops)
            {
                DatagramSockets.SetTimeToLive(socket.Fd, ipv6, hops);
            }
            if (options.Remote is { } remote)
            {
                DatagramSockets.Connect(socket.Fd, remote);
            }
            endpoint = new UdpEndpoint(loop, socket, handler, options);
            endpoint._driver.Start();
            return endpoint;
        }
        catch
        {
            if (endpoint is not null)
            {
                endpoint.Dispose();
            }
            else
            {
                socket.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> as one datagram to <paramref name="remote"/>: at once when nothing is queued,
    /// otherwise (or when the kernel refuses it for now) after what is queued; replies sent from
    /// <see cref="IDatagramHandler.OnDatagram"/> leave with the rest of the batch. Loop thread only.
    /// </summary>
    /// <param name="payload">The datagram's bytes (copied if it has to wait).</param>
    /// <param name="remote">Where to send it.</param>
    /// <returns>
    /// <see langword="true"/> when it was sent or queued; <see langword="false"/> when it was dropped (the queue was full,
    /// counted in <see cref="UdpEndpointCounters.Dropped"/>) or refused by the kernel (told to <see cref="IDatagramHandler.OnError"/>).
    /// </returns>
    /// <exception cref="ObjectDisposedException">The endpoint is closed.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    public bool SendTo(ReadOnlySpan<byte> payload, in DatagramAddress remote)
    {
        if (remote.AddressFamily == AddressFamily.Unspecified)
        {
            throw new ArgumentException("a default DatagramAddress names no address; reply to a datagram's Remote, or use DatagramAddress.From", nameof(remote));
        }
        SocketAddressBytes address = remote.Bytes;
        return Enqueue(payload, &address);
    }

    /// <summary>Sends <paramref name="payload"/> to <paramref name="remote"/> (see <see cref="SendTo(ReadOnlySpan{byte}, in DatagramAddress)"/>).</summary>
    /// <param name="payload">The datagram's bytes.</param>
    /// <param name="remote">Where to send it.</param>
    /// <returns>Whether it was sent or queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="remote"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The endpoint is closed.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    public bool SendTo(ReadOnlySpan<byte> payload, IPEndPoint remote) => SendTo(payload, DatagramAddress.From(remote));

    /// <summary>Sends <paramref name="payload"/> to the connected peer (see <see cref="SendTo(ReadOnlySpan{byte}, in DatagramAddress)"/>).</summary>
    /// <param name="payload">The datagram's bytes.</param>
    /// <returns>Whether it was sent or queued.</returns>
    /// <exception cref="InvalidOperationException">The endpoint is not connected (<see cref="UdpEndpointOptions.Remote"/>), or called from another thread than the loop's.</exception>
    /// <exception cref="ObjectDisposedException">The endpoint is closed.</exception>
    public bool Send(ReadOnlySpan<byte> payload)
    {
        if (RemoteEndPoint is null)
        {
            throw new InvalidOperationException($"the endpoint on {LocalEndPoint} is not connected; set UdpEndpointOptions.Remote, or use SendTo");
        }
        return Enqueue(payload, null);
    }

    /// <summary>
    /// Closes the endpoint: nothing more is received or sent, queued datagrams are dropped (not counted), and the socket
    /// closes once the kernel holds no request of it. Loop thread only, or once the loop has stopped; idempotent.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from a thread other than the one running the loop.</exception>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        ThrowIfForeignThread();
        _closed = true;
        _driver.Release();
    }

    /// <summary>A datagram arrived; the driver's buffer holds it until this returns.</summary>
    internal void Deliver(ReadOnlySpan<byte> payload, SocketAddressBytes* source, int length)
    {
        _received++;
        if (length > payload.Length)
        {
            _truncated++;
        }
        var remote = new DatagramAddress(*source);
        _trace?.Received(this, remote, length, length > payload.Length);
        _handler.OnDatagram(this, new Datagram(payload, remote, length));
    }

    internal void ReceivedBatch(int datagrams)
    {
        _receiveCalls++;
        _trace?.ReceivedBatch(this, datagrams);
    }

    /// <summary>The socket reported an error (an ICMP error on receive, or a refused send).</summary>
    internal void ReportError(Errno error)
    {
        _errors++;
        _trace?.Failed(this, error);
        _handler.OnError(this, error);
    }

    internal void CountSent(int datagrams)
    {
        _sent += datagrams;
        _sendCalls++;
        _trace?.Sent(this, datagrams, Queue.Count);
    }

    /// <summary>The queue's head was refused by the kernel: it is dropped and reported.</summary>
    internal void HeadFailed(Errno error)
    {
        Queue.Remove(1);
        _sendFailed++;
        ReportError(error);
    }

    /// <summary>While a batch of receives is handled, sends queue up, to leave together when <see cref="EndBatch"/> flushes them.</summary>
    internal void BeginBatch() => _deferring = true;

    internal void EndBatch() => _deferring = false;

    /// <summary>
    /// sendmmsg of the queue, <paramref name="batch"/>'s capacity at a time, until it is empty (true) or the kernel has no
    /// room (false: wait for it). A datagram the kernel refuses is dropped and reported, and the rest still go.
    /// </summary>
    internal bool SendBatches(int fd, MessageBatch batch)
    {
        SendQueue queue = Queue;
        while (!queue.IsEmpty && !_closed)
        {
            int count = Math.Min(queue.Count, batch.Capacity);
            for (int i = 0; i < count; i++)
            {
                byte* payload = queue.Peek(i, out int length, out SocketAddressBytes* address);
                batch.PrepareSend(i, payload, length, address);
            }
            int n = DatagramSockets.Send(fd, batch, count, out Errno errno);
            if (n > 0)
            {
                queue.Remove(n);
                CountSent(n);
                continue;
            }
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno == Errno.EAGAIN)
            {
                return false;
            }
            HeadFailed(errno);
        }
        return true;
    }

    private bool Enqueue(ReadOnlySpan<byte> payload, SocketAddressBytes* address)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        ThrowIfForeignThread();
        if (Queue.IsEmpty && !_deferring)
        {
            while (true)
            {
                int n = DatagramSockets.SendTo(_fd, payload, address, out Errno errno);
                if (n >= 0)
                {
                    CountSent(1);
                    return true;
                }
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                if (errno != Errno.EAGAIN)
                {
                    _sendFailed++;
                    ReportError(errno);
                    return false;
                }
                break;
            }
        }
        if (!Queue.TryEnqueue(payload, address))
        {
            _dropped++;
            _trace?.Dropped(this, address is null ? default : new DatagramAddress(*address), payload.Length);
            return false;
        }
        if (_deferring)
        {
            _driver.FlushAfterBatch();
        }
        else if (Queue.Count == 1)
        {
            _driver.SendQueued();
        }
        return true;
    }

    private void ThrowIfForeignThread()
    {
        if (Loop.IsRunning && !Loop.IsLoopThread)
        {
            throw new InvalidOperationException($"the endpoint on {LocalEndPoint} belongs to event loop '{Loop.Name}'; use Loop.Post to act on it from elsewhere");
        }
    }
}
