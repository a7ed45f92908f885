using IoMux.Native;

namespace IoMux;

/// <summary>
/// The process's descriptor limit, RLIMIT_NOFILE (what <c>ulimit -n</c> shows). Every connection a server holds
/// is a descriptor, and the usual soft limit (1024) is far below what an event loop can serve; a server that
/// expects thousands of connections raises the soft limit to the hard one at start-up, as <c>iomux echo</c> does.
/// </summary>
/// <param name="Soft">The limit in force: opening a descriptor beyond it fails with EMFILE.</param>
/// <param name="Hard">The ceiling an unprivileged process may raise <paramref name="Soft"/> to; <see cref="ulong.MaxValue"/> when unlimited.</param>
public readonly record struct DescriptorLimit(ulong Soft, ulong Hard)
{
    /// <summary>The limit in force now (getrlimit).</summary>
    /// <exception cref="SyscallException">getrlimit(2) failed (it does not on Linux for RLIMIT_NOFILE).</exception>
    public static DescriptorLimit Current()
    {
        (ulong soft, ulong hard) = Descriptors.GetFdLimit();
        return new DescriptorLimit(soft, hard);
    }

    /// <summary>
    /// Raises the soft limit to the hard limit (no privilege needed; nothing changes when they are already
    /// equal) and returns the limit now in force. Descriptors this process opens afterwards, and the children
    /// it starts, get the new limit.
    /// </summary>
    /// <exception cref="SyscallException">getrlimit(2) or setrlimit(2) failed; the limit is unchanged.</exception>
    public static DescriptorLimit RaiseToHard()
    {
        ulong soft = Descriptors.RaiseFdLimitToHard();
        return new DescriptorLimit(soft, Descriptors.GetFdLimit().Hard);
    }
}
