namespace IoMux;

public sealed partial class IoUringSelector
{
    // 256 buffers of 16 KiB: 4 MiB per loop, shared by all of its connections however many are idle.
    private const int ReceiveBufferCount = 256;
    internal const int ReceiveBufferSize = 16 * 1024;

    private static readonly Version ProvidedBufferRingKernel = new(5, 19);

    private IoUringCompletions? _completions;

    /// <summary>
    /// Null when this kernel has what the completion transport needs beyond the selector's own requirements
    /// (rings of provided buffers); otherwise why not, said before any connection is accepted.
    /// </summary>
    internal static string? CompletionRefusal => Environment.OSVersion.Version < ProvidedBufferRingKernel
        ? $"the completion transport needs Linux {ProvidedBufferRingKernel.Major}.{ProvidedBufferRingKernel.Minor} (rings of provided buffers); this kernel is {Environment.OSVersion.Version}"
        : null;

    /// <summary>
    /// Requests beyond polls (receive, send, cancel) on this selector's ring, created on first use (it registers
    /// the shared receive buffers, which needs Linux 5.19). Loop thread only.
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
