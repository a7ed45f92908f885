namespace IoMux;

/// <summary>What a registration asks to be told about.</summary>
[Flags]
public enum Interest
{
    /// <summary>Nothing; not accepted by <c>Register</c> or <c>Modify</c> (to stop watching, unregister).</summary>
    None = 0,
    /// <summary>Data to read, a connection to accept, or EOF (POLLIN / EPOLLIN).</summary>
    Read = 1,
    /// <summary>Room to write (POLLOUT / EPOLLOUT).</summary>
    Write = 2,
    /// <summary>Urgent / out-of-band data (POLLPRI / EPOLLPRI; select's exceptfds).</summary>
    Priority = 4,
    /// <summary>The peer shut down its writing side (POLLRDHUP / EPOLLRDHUP).</summary>
    ReadHangup = 8,
}

/// <summary>What a wait reports: the interests, plus conditions the kernel reports unasked.</summary>
[Flags]
public enum Readiness
{
    /// <summary>Nothing is ready.</summary>
    None = 0,
    /// <summary>Data to read, a connection to accept, or EOF (POLLIN / EPOLLIN).</summary>
    Read = Interest.Read,
    /// <summary>Room to write (POLLOUT / EPOLLOUT).</summary>
    Write = Interest.Write,
    /// <summary>Urgent / out-of-band data (POLLPRI / EPOLLPRI; select's exceptfds).</summary>
    Priority = Interest.Priority,
    /// <summary>The peer shut down its writing side (POLLRDHUP / EPOLLRDHUP); reported only when asked for.</summary>
    ReadHangup = Interest.ReadHangup,
    /// <summary>Both directions are closed (POLLHUP / EPOLLHUP), e.g. after a reset or on a pipe whose writer closed.</summary>
    Hangup = 16,
    /// <summary>An error is pending on the descriptor (POLLERR / EPOLLERR); read SO_ERROR to learn it.</summary>
    Error = 32,
    /// <summary>The registered descriptor is no longer open (POLLNVAL, or EBADF from select): unregister it.</summary>
    Invalid = 64,
}

/// <summary>How often readiness is reported.</summary>
public enum Trigger
{
    /// <summary>Reported on every wait while the condition holds (the default, on every backend).</summary>
    Level,
    /// <summary>Reported when the condition becomes true; drain to EAGAIN before waiting again (epoll).</summary>
    Edge,
    /// <summary>Reported once, then disarmed until <see cref="Selector.Modify(int, Interest, Trigger?)"/> re-arms it.</summary>
    OneShot,
}

/// <summary>The kernel mechanism behind a <see cref="Selector"/>.</summary>
public enum SelectorBackend
{
    /// <summary>The best this machine has: epoll on Linux.</summary>
    Auto,
    /// <summary>epoll(7): one kernel object holds the interest list; waits cost what is ready, not what is registered. Level, edge and one-shot.</summary>
    Epoll,
    /// <summary>poll(2): the whole set is handed to the kernel on every wait. Level and one-shot (one-shot emulated).</summary>
    Poll,
    /// <summary>select(2): bitmaps limited to descriptors below FD_SETSIZE (1024), handed over on every wait. Level and one-shot (one-shot emulated).</summary>
    Select,
    /// <summary>io_uring poll requests (Linux 5.13+, when the kernel allows io_uring): level, edge and one-shot.</summary>
    IoUring,
}
