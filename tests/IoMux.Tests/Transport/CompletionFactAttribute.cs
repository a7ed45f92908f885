namespace IoMux.Tests.Transport;

/// <summary>
/// A fact that runs only where a loop can serve the completion model (io_uring allowed, Linux 5.19 or later), and
/// is skipped with the refusal elsewhere. Where CI requires io_uring (IOMUX_REQUIRE_IO_URING=1) a refused io_uring
/// is not skipped: the test runs and fails with the refusal, so a broken probe cannot hide the completion suite.
/// </summary>
public sealed class CompletionFactAttribute : FactAttribute
{
    public CompletionFactAttribute()
    {
        if (!EventLoop.IsAvailable(IoModel.Completion, SelectorBackend.IoUring, out string? reason)
            && !(Environment.GetEnvironmentVariable("IOMUX_REQUIRE_IO_URING") == "1" && !Selector.IsAvailable(SelectorBackend.IoUring, out _)))
        {
            Skip = $"the completion model cannot run here: {reason}";
        }
    }
}
