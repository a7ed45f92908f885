using static IoMux.Native.IoUringConstants;

namespace IoMux.Native;

/// <summary>
/// Whether this process may use io_uring for readiness, learned once by trying: io_uring_setup can be
/// refused by the kernel build (ENOSYS), by <c>kernel.io_uring_disabled</c> or <c>io_uring_group</c> (EPERM,
/// EACCES), or by a seccomp filter (EPERM or ENOSYS, common in containers); and the selector needs Linux 5.13's
/// multishot poll and 5.11's timed waits (IORING_FEAT_EXT_ARG). Only those answers mean "not available here"
/// and are remembered. Any other failure while trying (EINVAL from a malformed request, ENOMEM, EMFILE, a failed
/// mmap) is a fault, not a refusal: it is thrown to whoever asked, and the next question tries again, so a bug
/// cannot quietly remove io_uring from every run.
/// </summary>
internal static unsafe class IoUringSupport
{
    // PublicationOnly: a result is kept, an exception is not (the next caller probes again).
    private static readonly Lazy<(string? Reason, Errno Errno)> Result = new(() => Probe(4), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>Null when io_uring is usable; otherwise why not, in one line. Throws what a failed probe met that is no refusal.</summary>
    public static string? RefusalReason => Result.Value.Reason;

    /// <summary>Throws the reason io_uring cannot be used, if there is one.</summary>
    public static void ThrowIfUnavailable()
    {
        (string? reason, Errno errno) = Result.Value;
        if (reason is null)
        {
            return;
        }
        if (errno != 0)
        {
            throw new SyscallException("io_uring_setup", errno, -1);
        }
        throw new NotSupportedException(reason);
    }

    /// <summary>The answers with which the kernel, a sysctl or a seccomp filter says no to io_uring.</summary>
    internal static bool IsRefusal(Errno errno) => errno is Errno.EPERM or Errno.EACCES or Errno.ENOSYS;

    /// <summary>One probe with a ring of <paramref name="sqEntries"/> entries; a failure that is not a refusal is thrown.</summary>
    internal static (string? Reason, Errno Errno) Probe(uint sqEntries)
    {
        IoUringRing ring;
        try
        {
            ring = IoUringRing.Create(sqEntries, 0);
        }
        catch (SyscallException e) when (e.Call == "io_uring_setup" && IsRefusal(e.Errno))
        {
            return ($"{e.Message}{DisabledBySysctl()}", e.Errno);
        }
        using (ring)
        {
            if ((ring.Features & IORING_FEAT_EXT_ARG) == 0)
            {
                return ("the kernel's io_uring lacks IORING_FEAT_EXT_ARG (timed waits, Linux 5.11); use the epoll backend", 0);
            }
            ReadOnlySpan<byte> needed = [IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE];
            if (!ring.SupportsOperations(needed, out Errno errno))
            {
                // EINVAL: the kernel predates IORING_REGISTER_PROBE (5.6). Anything else is a fault, not an answer.
                if (errno != 0 && errno != Errno.EINVAL && !IsRefusal(errno))
                {
                    throw new SyscallException("io_uring_register(IORING_REGISTER_PROBE)", errno, ring.Fd);
                }
                return (errno != 0
                    ? $"io_uring_register(IORING_REGISTER_PROBE) failed: {errno} (the kernel predates Linux 5.6); use the epoll backend"
                    : "the kernel's io_uring lacks IORING_OP_POLL_ADD or IORING_OP_POLL_REMOVE; use the epoll backend", 0);
            }
            return HasMultishotPoll(ring)
                ? (null, 0)
                : ("the kernel's io_uring lacks multishot poll (IORING_POLL_ADD_MULTI, Linux 5.13); use the epoll backend", (Errno)0);
        }
    }

    /// <summary>A kernel without multishot poll rejects the flag with EINVAL at once; one with it leaves the poll armed.</summary>
    private static bool HasMultishotPoll(IoUringRing ring)
    {
        using FileDescriptor eventFd = Descriptors.EventFd();
        ring.Push(new IoUringSqe
        {
            Opcode = IORING_OP_POLL_ADD,
            Fd = eventFd.Fd,
            Length = IORING_POLL_ADD_MULTI,
            PollEvents = (uint)Constants.POLLIN,
            UserData = 1,
        });
        ring.Submit();
        for (uint i = ring.CqHead, tail = ring.CqTail; i != tail; i++)
        {
            ref readonly IoUringCqe cqe = ref ring.Cqe(i);
            if (cqe.UserData == 1 && cqe.Result == -(int)Errno.EINVAL)
            {
                return false;
            }
        }
        return true;
    }

    private static string DisabledBySysctl()
    {
        try
        {
            string value = File.ReadAllText("/proc/sys/kernel/io_uring_disabled").Trim();
            return value == "0" ? "" : $"; kernel.io_uring_disabled = {value}";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
