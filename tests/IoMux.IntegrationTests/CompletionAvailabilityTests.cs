using Xunit.Abstractions;

namespace IoMux.IntegrationTests;

/// <summary>
/// <c>--backend uring</c> either serves with the completion transport (and the whole suite runs on it, through
/// <see cref="Combos"/>) or, where the kernel refuses io_uring, exits 2 with the reason in one line; either way
/// the test output says which.
/// </summary>
public sealed class CompletionAvailabilityTests(ITestOutputHelper output)
{
    [Fact]
    public void Backend_uring_serves_with_completions_or_exits_2_naming_why_not()
    {
        if (Combos.CompletionRefusal is { } reason)
        {
            output.WriteLine($"io_uring refused here, so the suite skips the uring runs: {reason}");
            (int exitCode, string _, string stderr) = Cli.Run(TimeSpan.FromSeconds(60), "echo", "--port", "0", "--backend", "uring");
            Assert.Equal(2, exitCode);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("io_uring is not available here", stderr, StringComparison.Ordinal);
            return;
        }
        output.WriteLine("io_uring available: every Combos.All and Combos.Transports test also runs on --backend uring");
        using EchoServer server = EchoServer.Start("--backend", "uring");
        Assert.Contains("backend uring, io completion,", server.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("level")]
    [InlineData("edge")]
    [InlineData("oneshot")]
    public void Backend_uring_with_io_readiness_serves_on_io_uring_polls_or_exits_2_naming_why_not(string trigger)
    {
        if (Combos.CompletionRefusal is { } reason)
        {
            output.WriteLine($"io_uring refused here, so the suite skips the uring runs: {reason}");
            (int exitCode, string _, string stderr) = Cli.Run(TimeSpan.FromSeconds(60), "echo", "--port", "0", "--backend", "uring", "--io", "readiness", "--trigger", trigger);
            Assert.Equal(2, exitCode);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("the uring backend is not available here", stderr, StringComparison.Ordinal);
            return;
        }
        using EchoServer server = EchoServer.Start("--backend", "uring", "--io", "readiness", "--trigger", trigger);
        Assert.Contains($"backend uring, io readiness, trigger {trigger},", server.StandardOutput, StringComparison.Ordinal);
    }
}
