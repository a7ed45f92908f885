using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// Options set on a connection's socket: for every connection of a listener or connector
/// (<see cref="ConnectionOptions.Socket"/>), or on one connection (<see cref="Connection.SetSocketOptions"/>).
/// The TCP ones (<see cref="NoDelay"/>, <see cref="KeepAlive"/>, <see cref="UserTimeout"/>) are skipped on Unix sockets.
/// </summary>
public sealed class SocketOptions
{
    internal const int MaxBufferSize = 1 << 30;

    /// <summary>TCP_NODELAY: send small writes at once instead of waiting to coalesce them (Nagle). On by default.</summary>
    public bool NoDelay { get; init; } = true;

    /// <summary>Keep-alive probing with its timings, or <see langword="null"/> to leave it off.</summary>
    public TcpKeepAlive? KeepAlive { get; init; }

    /// <summary>SO_SNDBUF in bytes (the kernel doubles it for bookkeeping and caps it at net.core.wmem_max), or <see langword="null"/> for the kernel's autotuning.</summary>
    public int? SendBufferSize { get; init; }

    /// <summary>SO_RCVBUF in bytes (the kernel doubles it and caps it at net.core.rmem_max), or <see langword="null"/> for the kernel's autotuning.</summary>
    public int? ReceiveBufferSize { get; init; }

    /// <summary>
    /// TCP_USER_TIMEOUT: how long sent data may stay unacknowledged before the kernel resets the connection (the
    /// handler sees <see cref="CloseReason.Reset"/> with ETIMEDOUT), in whole milliseconds; <see langword="null"/> for the kernel's retry limits.
    /// </summary>
    public TimeSpan? UserTimeout { get; init; }

    internal void Validate()
    {
        KeepAlive?.Validate();
        CheckBuffer(SendBufferSize, "SocketOptions.SendBufferSize");
        CheckBuffer(ReceiveBufferSize, "SocketOptions.ReceiveBufferSize");
        if (UserTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(1) || timeout > TimeSpan.FromMilliseconds(int.MaxValue) || timeout.Ticks % TimeSpan.TicksPerMillisecond != 0))
        {
            throw new ArgumentOutOfRangeException("SocketOptions.UserTimeout", timeout, "the user timeout is whole milliseconds from 1 ms to 24 days (or null for the kernel's default)");
        }
    }

    /// <summary>Sets every option that differs from a fresh socket's; throws <see cref="SyscallException"/> naming the option the kernel refused.</summary>
    internal void ApplyTo(int fd)
    {
        if (SendBufferSize is { } send)
        {
            SocketTuning.Set(fd, Constants.SOL_SOCKET, Constants.SO_SNDBUF, send, "setsockopt(SO_SNDBUF)");
        }
        if (ReceiveBufferSize is { } receive)
        {
            SocketTuning.Set(fd, Constants.SOL_SOCKET, Constants.SO_RCVBUF, receive, "setsockopt(SO_RCVBUF)");
        }
        if (!SocketTuning.SetTcp(fd, Constants.TCP_NODELAY, NoDelay ? 1 : 0, "setsockopt(TCP_NODELAY)"))
        {
            return; // not TCP: the remaining options have no meaning here
        }
        if (KeepAlive is { } keepAlive)
        {
            SocketTuning.SetTcp(fd, SocketTuning.TCP_KEEPIDLE, (int)keepAlive.Idle.TotalSeconds, "setsockopt(TCP_KEEPIDLE)");
            SocketTuning.SetTcp(fd, SocketTuning.TCP_KEEPINTVL, (int)keepAlive.Interval.TotalSeconds, "setsockopt(TCP_KEEPINTVL)");
            SocketTuning.SetTcp(fd, SocketTuning.TCP_KEEPCNT, keepAlive.ProbeCount, "setsockopt(TCP_KEEPCNT)");
            SocketTuning.Set(fd, Constants.SOL_SOCKET, SocketTuning.SO_KEEPALIVE, 1, "setsockopt(SO_KEEPALIVE)");
        }
        if (UserTimeout is { } timeout)
        {
            SocketTuning.SetTcp(fd, SocketTuning.TCP_USER_TIMEOUT, (int)timeout.TotalMilliseconds, "setsockopt(TCP_USER_TIMEOUT)");
        }
    }

    private static void CheckBuffer(int? size, string name)
    {
        if (size is { } bytes && (bytes < 1 || bytes > MaxBufferSize))
        {
            throw new ArgumentOutOfRangeException(name, bytes, "socket buffer sizes are 1 byte to 1 GiB (or null for the kernel's autotuning)");
        }
    }
}
