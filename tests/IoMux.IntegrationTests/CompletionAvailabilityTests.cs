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
        Assert.Contains("backend uring (completion)", server.StandardOutput, StringComparison.Ordinal);
    }
}
