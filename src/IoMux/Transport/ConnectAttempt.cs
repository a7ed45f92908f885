using System.Net;
using System.Net.Sockets;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// One connect from start to outcome: resolve (off the loop), try each address in order, wait for the kernel's
/// answer — writability then SO_ERROR on readiness, the connect request's completion on io_uring — under one
/// timeout, then hand the socket to the connector's connections or report one <see cref="ConnectException"/>.
/// Pooled by its connector: the address it lends the kernel, its timer and its delegates are made once, so a
/// connect to an IP or Unix address allocates nothing of its own. Loop thread only.
/// </summary>
internal sealed unsafe partial class ConnectAttempt : ILoopHandler, ICompletionTarget
{
    private const byte ConnectOperation = 1;

    private readonly Connector _connector;
    private readonly EventLoop _loop;
    private readonly ConnectOptions _options;
    private readonly bool _completion;
    // Pinned: the kernel reads the address of an io_uring connect after the call that asked for it returned.
    private readonly byte[] _address = GC.AllocateArray<byte>(SockAddr.MaxSize, pinned: true);
    private readonly Action _onTimeout;
    private readonly DeferredOutcome _deferred;
    private LoopTimer? _timer;
    private FileDescriptor? _socket;
    private EndPoint? _remote;
    private EndPoint? _target;
    private IPAddress[]? _addresses;
    private int _nextAddress;
    private IConnectionHandler? _handler;
    private IConnectHandler? _callback;
    private TaskCompletionSource<Connection>? _task;
    private CancellationTokenRegistration _cancellation;
    private ConnectException? _lastFailure;
    private ConnectError? _abandoned;
    private int _slot = -1;
    private bool _active;
    private bool _registered;
    private bool _inFlight;
    private bool _starting;

    public ConnectAttempt(Connector connector)
    {
        _connector = connector;
        _loop = connector.Loop;
        _options = connector.Options;
        _completion = _options.IoModel == IoModel.Completion;
        _onTimeout = () => Abandon(ConnectError.TimedOut);
        _deferred = new DeferredOutcome(this);
    }

    /// <summary>Counts uses: a <see cref="PendingConnect"/> of an earlier use no longer matches.</summary>
    public uint Generation { get; private set; }

    public bool IsUnderWay(uint generation) => _active && Generation == generation;

    /// <summary>The failure a connect meets when its connector was disposed before it began.</summary>
    public static ConnectException Stopped(EndPoint remote) =>
        new(ConnectError.Cancelled, remote, null, $"connect to {Describe(remote)} cancelled: the connector was disposed");

    public PendingConnect Begin(EndPoint remote, IConnectionHandler handler, IConnectHandler? callback, TaskCompletionSource<Connection>? task, CancellationToken cancellationToken)
    {
        Generation++;
        _active = true;
        _remote = remote;
        _handler = handler;
        _callback = callback;
        _task = task;
        _lastFailure = null;
        _abandoned = null;
        var pending = new PendingConnect(this, Generation);
        if (_options.ConnectTimeout is { } timeout)
        {
            if (_timer is null)
            {
                _timer = _loop.Schedule(timeout, _onTimeout);
            }
            else
            {
                _timer.Reschedule(timeout);
            }
        }
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = RegisterCancellation(Generation, cancellationToken);
        }
        _starting = true;
        if (remote is DnsEndPoint dns)
        {
            if (IPAddress.TryParse(dns.Host, out IPAddress? literal))
            {
                _addresses = [literal];
                _nextAddress = 0;
                TryNextAddress(dns.Port);
            }
            else
            {
                Resolve(dns, cancellationToken);
            }
        }
        else
        {
            TryConnect(remote);
        }
        _starting = false;
        return pending;
    }

    /// <summary>Gives the connect up with <see cref="ConnectError.Cancelled"/>; false when it is not the one under way.</summary>
    public bool Cancel(uint generation)
    {
        if (!IsUnderWay(generation) || _abandoned is not null)
        {
            return false;
        }
        Abandon(ConnectError.Cancelled);
        return true;
    }

    /// <summary>A token fires on any thread: its cancel travels to the loop.</summary>
    private CancellationTokenRegistration RegisterCancellation(uint generation, CancellationToken cancellationToken) =>
        cancellationToken.UnsafeRegister(_ => PostCancel(generation), null);

    private void PostCancel(uint generation)
    {
        try
        {
            _loop.Post(() => Cancel(generation));
        }
        catch (ObjectDisposedException)
        {
            // The loop is gone, and with it the attempt: its queue closing already gave it up.
        }
    }

    /// <summary>Resolution runs on the thread pool (a replaced resolver may block); its answer comes back through the loop's queue.</summary>
    private void Resolve(DnsEndPoint dns, CancellationToken cancellationToken)
    {
        uint generation = Generation;
        IHostResolver resolver = _options.Resolver;
        string host = dns.Host;
        Task.Run(() => resolver.ResolveAsync(host, cancellationToken), cancellationToken).ContinueWith(
            resolved =>
            {
                try
                {
                    _loop.Post(() => Resolved(generation, dns, resolved));
                }
                catch (ObjectDisposedException)
                {
                    // The loop is gone: the attempt was given up when its queue closed.
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Resolved(uint generation, DnsEndPoint dns, Task<IPAddress[]> resolved)
    {
        if (!IsUnderWay(generation) || _abandoned is not null)
        {
            return; // timed out or cancelled while resolving: that outcome was reported already
        }
        if (resolved.IsCanceled)
        {
            Finish(Failure(ConnectError.Cancelled, null, "cancelled while resolving the name"));
            return;
        }
        if (resolved.Exception is { } failed)
        {
            Exception cause = failed.InnerException ?? failed;
            Finish(new ConnectException(ConnectError.NameNotResolved, _remote, null, $"connect to {Describe(dns)}: the name does not resolve ({cause.Message})", cause));
            return;
        }
        IPAddress[] addresses = resolved.Result.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).ToArray();
        if (addresses.Length == 0)
        {
            Finish(new ConnectException(ConnectError.NameNotResolved, _remote, null, $"connect to {Describe(dns)}: the name resolves to no IPv4 or IPv6 address"));
            return;
        }
        _addresses = addresses;
        _nextAddress = 0;
        TryNextAddress(dns.Port);
    }

    /// <summary>The next resolved address, or, with none left, the last one's failure.</summary>
    private void TryNextAddress(int port)
    {
        if (_addresses is null || _nextAddress >= _addresses.Length)
        {
            Finish(_lastFailure ?? Failure(ConnectError.Other, null, "no address was tried"));
            return;
        }
        TryConnect(new IPEndPoint(_addresses[_nextAddress++], port));
    }

    private void TryConnect(EndPoint target)
    {
        _target = target;
        try
        {
            _socket = Sockets.OpenStream(SockAddr.Family(target));
            _options.Socket.ApplyTo(_socket.Fd);
        }
        catch (SyscallException e)
        {
            Failed(e.Errno, binding: false);
            return;
        }
        if (_options.LocalEndPoint is { } local && Sockets.Bind(_socket.Fd, local) is var bound && bound != 0)
        {
            Failed(bound, binding: true);
            return;
        }
        uint length = SockAddr.Encode(target, _address);
        fixed (byte* address = _address)
        {
            if (_completion)
            {
                SubmitConnect(address, length);
                return;
            }
            Errno errno = Sockets.StartConnect(_socket.Fd, address, length);
            if (errno == 0)
            {
                Connected();
            }
            else if (errno == Errno.EINPROGRESS)
            {
                WaitWritable();
            }
            else
            {
                Failed(errno, binding: false);
            }
        }
    }

    /// <summary>The kernel connected the socket: it becomes an ordinary connection of the connector.</summary>
    private void Connected()
    {
        if (_starting)
        {
            _deferred.Defer(null); // a Unix connect succeeds at once: OnConnected must still come after Connect returned
            return;
        }
        FileDescriptor socket = _socket!;
        _socket = null;
        _timer?.Cancel();
        IConnectionHandler handler = _handler!;
        TaskCompletionSource<Connection>? task = _task;
        IConnectHandler? callback = _callback;
        EndPoint remote = _remote!;
        int fd = socket.Fd;
        Reset();
        Connection? connection = _connector.Connections.Admit(socket, handler, optionsApplied: true);
        if (connection is null)
        {
            var refused = new ConnectException(ConnectError.Other, remote, null, $"connect to {Describe(remote)} succeeded but the loop could not serve the socket (fd {fd}; the log says why)");
            Report(refused, task, callback);
            return;
        }
        task?.TrySetResult(connection);
    }

    /// <summary>One address failed: try the next (a busy local address would be busy for every one), or report.</summary>
    private void Failed(Errno errno, bool binding)
    {
        CloseSocket();
        _lastFailure = Classify(errno, binding);
        if (!binding && _addresses is not null && _nextAddress < _addresses.Length && _remote is DnsEndPoint dns)
        {
            TryNextAddress(dns.Port);
            return;
        }
        Finish(_lastFailure);
    }

    /// <summary>The timeout passed or a cancel came: stop now, or, on io_uring, once the kernel let go of the request.</summary>
    private void Abandon(ConnectError reason)
    {
        if (!_active || _abandoned is not null)
        {
            return;
        }
        _abandoned = reason;
        _deferred.Drop();
        if (_inFlight)
        {
            CancelConnect();
            return;
        }
        CloseSocket();
        Finish(Abandoned());
    }

    private ConnectException Abandoned() => _abandoned == ConnectError.TimedOut
        ? Failure(ConnectError.TimedOut, null, $"timed out after {_options.ConnectTimeout!.Value.TotalSeconds:0.###} s without an answer")
        : Failure(ConnectError.Cancelled, null, "cancelled");

    private void Finish(ConnectException failure)
    {
        if (_starting)
        {
            _deferred.Defer(failure); // refused at once (a Unix path, a busy local address): report after Connect returned
            return;
        }
        TaskCompletionSource<Connection>? task = _task;
        IConnectHandler? callback = _callback;
        _timer?.Cancel();
        Reset();
        if (_connector.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            TransportLog.ConnectFailed(_connector.Logger, failure.Error, failure.Message);
        }
        Report(failure, task, callback);
    }

    private void Report(ConnectException failure, TaskCompletionSource<Connection>? task, IConnectHandler? callback)
    {
        task?.TrySetException(failure);
        if (callback is null)
        {
            return;
        }
        try
        {
            callback.OnConnectFailed(failure);
        }
#pragma warning disable CA1031 // A handler's failure is its own; the loop and the other connects go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            TransportLog.ConnectHandlerFailed(_connector.Logger, failure.Message, e);
        }
    }

    /// <summary>Back to the pool: nothing of this use is kept, and a <see cref="PendingConnect"/> of it no longer matches.</summary>
    private void Reset()
    {
        _cancellation.Dispose();
        _cancellation = default;
        _active = false;
        Generation++;
        _remote = _target = null;
        _addresses = null;
        _handler = null;
        _callback = null;
        _task = null;
        _lastFailure = null;
        _abandoned = null;
        _deferred.Drop();
        _connector.Return(this);
    }

    private void CloseSocket()
    {
        if (_registered)
        {
            _registered = false;
            if (!_loop.Selector.IsDisposed)
            {
                _loop.Selector.Unregister(_socket!.Fd);
            }
        }
        _socket?.Dispose();
        _socket = null;
    }

    private ConnectException Failure(ConnectError error, Errno? errno, string what)
    {
        string target = _remote is DnsEndPoint && _target is not null ? $"{Describe(_remote)} ({Describe(_target)})" : Describe(_remote!);
        return new ConnectException(error, _remote, errno, $"connect to {target} {what}");
    }

    private ConnectException Classify(Errno errno, bool binding)
    {
        if (binding)
        {
            return errno == Errno.EADDRINUSE
                ? Failure(ConnectError.AddressInUse, errno, $"failed: the local address {Describe(_options.LocalEndPoint!)} is in use (EADDRINUSE)")
                : Failure(ConnectError.Other, errno, $"failed: binding the local address {Describe(_options.LocalEndPoint!)}: {errno} ({new SyscallException("bind", errno, -1).Message})");
        }
        return errno switch
        {
            Errno.ECONNREFUSED => Failure(ConnectError.Refused, errno, "refused (ECONNREFUSED): nothing listens there"),
            Errno.ENOENT => Failure(ConnectError.Refused, errno, "refused (ENOENT): no socket file at that path"),
            Errno.ETIMEDOUT => Failure(ConnectError.TimedOut, errno, "timed out (ETIMEDOUT): the kernel's connection attempts went unanswered"),
            Errno.ENETUNREACH or Errno.EHOSTUNREACH or Errno.ENETDOWN => Failure(ConnectError.Unreachable, errno, $"failed: unreachable ({errno}): no route to that address"),
            Errno.EADDRINUSE or Errno.EADDRNOTAVAIL => Failure(ConnectError.AddressInUse, errno, $"failed: no local address is free for it ({errno}); widen net.ipv4.ip_local_port_range or reuse connections"),
            Errno.EAGAIN => Failure(ConnectError.Other, errno, "failed (EAGAIN): the listener's backlog is full"),
            Errno.ECANCELED => Failure(ConnectError.Cancelled, errno, "cancelled"),
            _ => Failure(ConnectError.Other, errno, $"failed: {new SyscallException("connect", errno, -1).Message}"),
        };
    }

    internal static string Describe(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => Sockets.Describe(endPoint),
    };
}
