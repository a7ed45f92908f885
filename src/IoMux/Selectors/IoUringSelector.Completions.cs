namespace IoMux;

public sealed partial class IoUringSelector
{
    // 256 buffers of 16 KiB: 4 MiB per loop, shared by all of its connections however many are idle.
    private const int ReceiveBufferCount = 256;
    internal const int ReceiveBufferSize = 16 * 1024;

    private IoUringCompletions? _completions;

    /// <summary>
    /// Requests beyond polls (receive, send, cancel) on this selector's ring, created on first use (it registers
    /// the shared receive buffers, which needs Linux 5.19). Loop thread only.
    /// </summary>
    internal IoUringCompletions Completions
    {
        get
        {
            ObjectDisposedException.ThrowIf(_ringClosed, this);
            if (_completions is null && CompletionAvailability.RefusalFor(Backend) is { } reason)
            {
                throw new NotSupportedException(reason);
            }
            return _completions ??= new IoUringCompletions(Ring, ReceiveBufferCount, ReceiveBufferSize);
        }
    }
}
