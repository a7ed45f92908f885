using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary><c>iomux compare --udp</c>: each IoMux mode runs <c>echo --udp</c> as its name says, the C peers run through run.sh, and the batched one is the reference.</summary>
public sealed class UdpServerCatalogTests : IDisposable
{
    private readonly string _peers = Directory.CreateTempSubdirectory("iomux-udp-peers-").FullName;

    public UdpServerCatalogTests() => File.WriteAllText(Path.Combine(_peers, "run.sh"), "");

    public void Dispose() => Directory.Delete(_peers, recursive: true);

    [Theory]
    [InlineData("iomux-udp-epoll", "epoll", "readiness")]
    [InlineData("iomux-udp-uring", "uring", "completion")]
    [InlineData("iomux-udp-uring-readiness", "uring", "readiness")]
    public void An_iomux_mode_runs_echo_udp_with_its_backend_and_io_model(string name, string backend, string io)
    {
        ServerSpec spec = Assert.Single(UdpServerCatalog.Resolve([name, UdpServerCatalog.Reference], _peers), s => s.Name == name);
        string[] args = [.. spec.Arguments];
        int echo = Array.IndexOf(args, "echo");
        Assert.True(echo >= 0, $"{name} does not run iomux echo: {string.Join(' ', args)}");
        Assert.Equal(["echo", "--udp", "--port", "{port}", "--backend", backend, "--io", io], args[echo..]);
    }

    [Fact]
    public void The_batched_c_peer_is_the_reference_and_the_simple_one_is_not()
    {
        IReadOnlyList<ServerSpec> specs = UdpServerCatalog.Resolve([UdpServerCatalog.Reference, UdpServerCatalog.Simple], _peers);
        Assert.True(specs.Single(s => s.Name == "c-udp-batched").IsReference);
        Assert.False(specs.Single(s => s.Name == "c-udp-simple").IsReference);
        Assert.Equal(["bash", Path.Combine(_peers, "run.sh"), "c-udp-simple", "{port}"], [specs[1].FileName, .. specs[1].Arguments]);
    }

    [Fact]
    public void A_run_without_the_reference_or_with_a_tcp_server_is_refused_naming_the_fix()
    {
        UsageException missing = Assert.Throws<UsageException>(() => UdpServerCatalog.Resolve(["c-udp-simple"], _peers));
        Assert.Contains("must include the reference c-udp-batched", missing.Message, StringComparison.Ordinal);
        UsageException tcp = Assert.Throws<UsageException>(() => UdpServerCatalog.Resolve(["c-epoll", "c-udp-batched"], _peers));
        Assert.Contains("unknown UDP server 'c-epoll'", tcp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_workloads_are_64_and_1200_bytes_with_windows_of_1_and_32_for_50_clients()
    {
        Assert.Equal([new Workload(50, 64, 1), new Workload(50, 64, 32), new Workload(50, 1200, 1), new Workload(50, 1200, 32)], UdpServerCatalog.Workloads);
    }
}
