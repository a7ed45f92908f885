namespace IoMux.PackageTests;

/// <summary>A fact that runs only where this kernel allows io_uring, and is skipped with the kernel's reason elsewhere.</summary>
public sealed class IoUringFactAttribute : FactAttribute
{
    public IoUringFactAttribute()
    {
        if (!Selector.IsAvailable(SelectorBackend.IoUring, out string? reason))
        {
            Skip = $"io_uring is not available here, so the packaged selector was not tried on it: {reason}";
        }
    }
}
