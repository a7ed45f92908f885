namespace IoMux;

/// <summary>How a loop's connections move bytes: the two I/O models the tutorial contrasts.</summary>
public enum IoModel
{
    /// <summary>
    /// Wait until a descriptor is ready, then read or write it without blocking (select, poll, epoll, or
    /// io_uring polls); every trigger.
    /// </summary>
    Readiness,

    /// <summary>
    /// Hand receives and sends to the kernel and react when they complete (io_uring). Needs a loop on
    /// <see cref="SelectorBackend.IoUring"/> and a kernel with rings of provided buffers (Linux 5.19); the
    /// trigger applies only to the listener, since completions have no readiness to trigger on.
    /// </summary>
    Completion,
}
