using IoMux.AspNetCore;

namespace IoMux.AspNetCore.Tests;

/// <summary>
/// The transport modes every behaviour runs on: epoll readiness and io_uring completion, and for the cheap checks
/// io_uring readiness (edge) and inline scheduling too. io_uring modes are left out where the kernel refuses
/// io_uring (see <see cref="IoUringAvailabilityTests"/>, which then skips saying why), unless
/// <c>IOMUX_REQUIRE_IO_URING=1</c>: then they run and fail on the refusal.
/// </summary>
public static class Transports
{
    public const string EpollReadiness = "epoll-readiness";
    public const string IoUringCompletion = "io_uring-completion";
    public const string IoUringReadinessEdge = "io_uring-readiness-edge";
    public const string EpollInline = "epoll-readiness-inline";

    public static bool IoUringRequired => Environment.GetEnvironmentVariable("IOMUX_REQUIRE_IO_URING") == "1";

    public static bool IoUringUsable => Selector.IsAvailable(SelectorBackend.IoUring, out _) || IoUringRequired;

    /// <summary>The two the issue names: every behaviour runs on both.</summary>
    public static TheoryData<string> Main => Of(EpollReadiness, IoUringCompletion);

    /// <summary>Every mode, for the checks cheap enough to run four times.</summary>
    public static TheoryData<string> Every => Of(EpollReadiness, IoUringCompletion, IoUringReadinessEdge, EpollInline);

    public static void Configure(string mode, IoMuxTransportOptions options)
    {
        options.LoopCount = 2;
        switch (mode)
        {
            case EpollReadiness:
                options.Backend = SelectorBackend.Epoll;
                break;
            case IoUringCompletion:
                options.Backend = SelectorBackend.IoUring;
                options.IoModel = IoModel.Completion;
                break;
            case IoUringReadinessEdge:
                options.Backend = SelectorBackend.IoUring;
                options.Trigger = Trigger.Edge;
                break;
            case EpollInline:
                options.Backend = SelectorBackend.Epoll;
                options.UnsafePreferInlineScheduling = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown transport mode");
        }
    }

    private static TheoryData<string> Of(params string[] modes)
    {
        var data = new TheoryData<string>();
        foreach (string mode in modes)
        {
            if (mode == EpollReadiness || mode == EpollInline || IoUringUsable)
            {
                data.Add(mode);
            }
        }
        return data;
    }
}

/// <summary>Says, by skipping, when the io_uring modes were left out of every theory here (and why).</summary>
public sealed class IoUringAvailabilityTests
{
    [IoUringFact]
    public void IoUringModesRunHere()
    {
        Assert.True(Selector.IsAvailable(SelectorBackend.IoUring, out string? reason), reason);
    }
}

/// <summary>A fact that runs where io_uring is allowed (or required), and is skipped with the kernel's reason elsewhere.</summary>
public sealed class IoUringFactAttribute : FactAttribute
{
    public IoUringFactAttribute()
    {
        if (!Selector.IsAvailable(SelectorBackend.IoUring, out string? reason) && !Transports.IoUringRequired)
        {
            Skip = $"io_uring is not available here, so the io_uring transport modes were left out: {reason}";
        }
    }
}
