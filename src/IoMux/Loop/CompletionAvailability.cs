using IoMux.Native;

namespace IoMux;

/// <summary>
/// The one answer to "can the completion model run here, and if not, why": it needs the io_uring backend,
/// an io_uring this process may use, and rings of provided buffers (Linux 5.19) for its receives.
/// </summary>
internal static class CompletionAvailability
{
    private static readonly Version ProvidedBufferRingKernel = new(5, 19);
    private static readonly Lazy<string?> ProvidedBuffersRefusal = new(ProbeProvidedBuffers);

    /// <summary>Null when a loop on <paramref name="backend"/> can serve the completion model; otherwise why not, in one line.</summary>
    public static string? RefusalFor(SelectorBackend backend)
    {
        if (backend != SelectorBackend.IoUring)
        {
            return $"the completion model needs the io_uring backend; {(backend == SelectorBackend.Auto ? SelectorBackend.Epoll : backend).ToString().ToLowerInvariant()} offers readiness only";
        }
        if (IoUringSupport.RefusalReason is { } refused)
        {
            return refused;
        }
        return Environment.OSVersion.Version < ProvidedBufferRingKernel
            ? $"the completion model needs Linux {ProvidedBufferRingKernel.Major}.{ProvidedBufferRingKernel.Minor} (rings of provided buffers); this kernel is {Environment.OSVersion.Version}"
            : ProvidedBuffersRefusal.Value;
    }

    /// <summary>Registers a one-buffer ring once, so a kernel or sandbox that refuses them is named before any connection is accepted.</summary>
    private static string? ProbeProvidedBuffers()
    {
        try
        {
            using IoUringRing ring = IoUringRing.Create(4, 0);
            _ = new IoUringBufferRing(ring, groupId: 1, count: 1, size: 4096);
            return null;
        }
        catch (SyscallException e)
        {
            return $"io_uring refused a ring of provided buffers ({e.Message}); use the readiness model";
        }
    }
}
