using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary>Each IoMux mode in <c>iomux compare</c> starts <c>iomux echo</c> with the backend, I/O model and trigger its name says.</summary>
public sealed class ServerCatalogTests : IDisposable
{
    private readonly string _peers = Directory.CreateTempSubdirectory("iomux-peers-").FullName;

    public ServerCatalogTests() => File.WriteAllText(Path.Combine(_peers, "run.sh"), "");

    public void Dispose() => Directory.Delete(_peers, recursive: true);

    [Theory]
    [InlineData("iomux-epoll-level", "epoll", "readiness", "level")]
    [InlineData("iomux-epoll-edge", "epoll", "readiness", "edge")]
    [InlineData("iomux-poll", "poll", "readiness", "level")]
    [InlineData("iomux-select", "select", "readiness", "level")]
    [InlineData("iomux-uring", "uring", "completion", "level")]
    [InlineData("iomux-uring-readiness", "uring", "readiness", "level")]
    public void An_iomux_mode_runs_echo_with_its_backend_io_model_and_trigger(string name, string backend, string io, string trigger)
    {
        ServerSpec spec = Assert.Single(ServerCatalog.Resolve([name, ServerCatalog.Reference], _peers), s => s.Name == name);
        string[] args = [.. spec.Arguments];
        int echo = Array.IndexOf(args, "echo");
        Assert.True(echo >= 0, $"{name} does not run iomux echo: {string.Join(' ', args)}");
        Assert.Equal(["echo", "--port", "{port}", "--backend", backend, "--io", io, "--trigger", trigger], args[echo..]);
    }

    [Theory]
    [InlineData("iomux-epoll-pipe", "epoll", "readiness", "pipe")]
    [InlineData("iomux-epoll-pipe-inline", "epoll", "readiness", "pipe-inline")]
    [InlineData("iomux-uring-pipe", "uring", "completion", "pipe")]
    [InlineData("iomux-uring-pipe-inline", "uring", "completion", "pipe-inline")]
    public void A_pipe_mode_runs_the_same_echo_on_the_pipe_API(string name, string backend, string io, string api)
    {
        ServerSpec spec = Assert.Single(ServerCatalog.Resolve([name, ServerCatalog.Reference], _peers), s => s.Name == name);
        string[] args = [.. spec.Arguments];
        int echo = Array.IndexOf(args, "echo");
        Assert.Equal(["echo", "--port", "{port}", "--backend", backend, "--io", io, "--trigger", "level", "--api", api], args[echo..]);
    }

    [Fact]
    public void The_catalog_lists_readiness_on_io_uring_beside_the_completion_model()
    {
        Assert.Contains("iomux-uring", ServerCatalog.Names);
        Assert.Contains("iomux-uring-readiness", ServerCatalog.Names);
    }
}
