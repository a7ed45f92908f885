namespace IoMux;

public sealed partial class IoUringSelector
{
    // 256 buffers of 16 KiB: 4 MiB per loop, shared by all of its connections however many are idle.
    private const int ReceiveBufferCount = 256;
    private const int ReceiveBufferSize = 16 * 1024;

    private static readonly Version MultishotReceiveKernel = new(6, 0);

    private IoUringCompletions? _completions;

    /// <summary>
    /// Null when this kernel has what the completion transport needs beyond the selector's own requirements;
    /// otherwise why not. Older kernels reject IORING_RECV_MULTISHOT only when the first receive completes, so
    /// this is said up front.
    /// </summary>
    internal static string? CompletionRefusal => Environment.OSVersion.Version < MultishotReceiveKernel
        ? $"the completion transport needs Linux {MultishotReceiveKernel.Major}.{MultishotReceiveKernel.Minor} (multishot receive); this kernel is {Environment.OSVersion.Version}"
        : null;

    /// <summary>
    /// Requests beyond polls (receive, send, cancel) on this selector's ring, created on first use (it registers
    /// the shared receive buffers; the transport's multishot receive needs Linux 6.0). Loop thread only.
    /// </summary>
    internal IoUringCompletions Completions
    {
        get
        {
            ObjectDisposedException.ThrowIf(_ringClosed, this);
            if (_completions is null && CompletionRefusal is { } reason)
            {
                throw new NotSupportedException(reason);
            }
            return _completions ??= new IoUringCompletions(Ring, ReceiveBufferCount, ReceiveBufferSize);
        }
    }
}
