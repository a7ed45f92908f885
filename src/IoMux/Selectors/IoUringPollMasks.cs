using IoMux.Native;
using static IoMux.Native.Constants;

namespace IoMux;

/// <summary>poll(2) event bits as io_uring polls use them, and back to <see cref="Readiness"/>.</summary>
internal static class IoUringPollMasks
{
    /// <summary>poll(2) with no timeout: the descriptor's readiness right now.</summary>
    public static unsafe Readiness PollNow(int fd, Interest interest)
    {
        PollFd pollFd = new() { Fd = fd, Events = (short)EventsFor(interest) };
        return Libc.Poll(&pollFd, 1, 0) > 0 ? ToReadiness((ushort)pollFd.REvents) : Readiness.None;
    }

    public static uint EventsFor(Interest interest)
    {
        int events = 0;
        if ((interest & Interest.Read) != 0) events |= POLLIN;
        if ((interest & Interest.Write) != 0) events |= POLLOUT;
        // io_uring matches a wake-up against the poll's events with EPOLLPRI masked out, so a poll for POLLPRI
        // alone is never woken; urgent data arrives with the data wake-up (EPOLLIN | EPOLLPRI), so listen for that.
        if ((interest & Interest.Priority) != 0) events |= POLLPRI | POLLIN;
        if ((interest & Interest.ReadHangup) != 0) events |= POLLRDHUP;
        return (uint)events;
    }

    public static Readiness ToReadiness(uint mask)
    {
        Readiness r = Readiness.None;
        if ((mask & (uint)POLLIN) != 0) r |= Readiness.Read;
        if ((mask & (uint)POLLOUT) != 0) r |= Readiness.Write;
        if ((mask & (uint)POLLPRI) != 0) r |= Readiness.Priority;
        if ((mask & (uint)POLLRDHUP) != 0) r |= Readiness.ReadHangup;
        if ((mask & (uint)POLLHUP) != 0) r |= Readiness.Hangup;
        if ((mask & (uint)POLLERR) != 0) r |= Readiness.Error;
        if ((mask & (uint)POLLNVAL) != 0) r |= Readiness.Invalid;
        return r;
    }
}
