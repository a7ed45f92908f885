using System.Diagnostics;

namespace IoMux.Cli.Tests.Commands;

/// <summary>
/// <c>iomux backends</c> as a real process: every backend listed, io_uring with whether this kernel allows it, and
/// each backend's I/O models as the library answers them.
/// </summary>
public sealed class BackendsCommandTests
{
    [Fact]
    public async Task Lists_io_uring_with_what_this_kernel_allows_and_keeps_auto_on_epoll()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IoMux.Cli.dll"));
        start.ArgumentList.Add("backends");
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string[] lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(process.WaitForExit(60_000), "iomux did not exit");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", await stderr);

        string uring = Assert.Single(lines, line => line.StartsWith("io_uring ", StringComparison.Ordinal));
        if (!Selector.IsAvailable(SelectorBackend.IoUring, out string? reason))
        {
            Assert.Equal($"io_uring no         -                        -                     {reason}", uring);
        }
        else if (EventLoop.IsAvailable(IoModel.Completion, SelectorBackend.IoUring, out string? refusal))
        {
            Assert.StartsWith("io_uring yes        level,edge,oneshot       readiness,completion  ", uring, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith($"io_uring yes        level,edge,oneshot       readiness (completion: {refusal}) ", uring, StringComparison.Ordinal);
        }
        Assert.Equal("backend  available  triggers                 io models             limits", lines[0]);
        Assert.Contains(lines, line => line.StartsWith("epoll    yes        level,edge,oneshot       readiness             ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("poll     yes        level,oneshot            readiness             ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("select   yes        level,oneshot            readiness             ", StringComparison.Ordinal));
        Assert.Equal("auto     = epoll", lines[^1]);
    }
}
