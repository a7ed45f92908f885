using System.Net;
using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary>bench/HttpApp answers its three endpoints on every transport, and <c>iomux compare --http</c> measures it with wrk.</summary>
public sealed class HttpComparisonTests
{
    public static TheoryData<string> Servers => [.. HttpServerCatalog.Names];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_app_answers_plaintext_json_and_echoes_a_16_KiB_body(string name)
    {
        ServerSpec spec = HttpServerCatalog.Resolve([name, HttpServerCatalog.Reference], HttpAppLocation.App).First(s => s.Name == name);
        using ServerProcess server = ServerProcess.Start(spec, LoopbackPorts.FreeRun(1), TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };

        using HttpResponseMessage plaintext = await client.GetAsync(new Uri("/plaintext", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, plaintext.StatusCode);
        Assert.Equal("Hello, World!", await plaintext.Content.ReadAsStringAsync());
        Assert.Equal(13, plaintext.Content.Headers.ContentLength);

        using HttpResponseMessage json = await client.GetAsync(new Uri("/json", UriKind.Relative));
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"message":"Hello, World!"}""", await json.Content.ReadAsStringAsync());

        byte[] body = new byte[HttpWorkload.EchoBodySize];
        Random.Shared.NextBytes(body);
        using var content = new ByteArrayContent(body);
        using HttpResponseMessage echo = await client.PostAsync(new Uri("/echo", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Equal(body, await echo.Content.ReadAsByteArrayAsync());
    }

    [WrkFact]
    public void A_comparison_measures_the_reference_and_iomux_with_wrk_without_errors()
    {
        // Every transport answering is the theory above's; two keep this one's wrk runs inside the CI budget.
        IReadOnlyList<ServerSpec> servers = HttpServerCatalog.Resolve([HttpServerCatalog.Reference, "iomux-uring"], HttpAppLocation.App);
        HttpWorkload[] workloads = [new("plaintext", 4), new("echo", 2)];
        var options = new HttpComparisonOptions(servers, workloads, Rounds: 1, TimeSpan.FromSeconds(1), ClientThreads: 1, BasePort: LoopbackPorts.FreeRun(servers.Count))
        {
            Warmup = TimeSpan.FromSeconds(1),
        };
        var log = new StringWriter();

        HttpComparisonResult result = HttpComparisonRunner.Run(options, log, CancellationToken.None);

        Assert.Empty(result.Skipped);
        foreach (HttpWorkload workload in workloads)
        {
            foreach (ServerSpec server in servers)
            {
                Measurement m = result.Measurements[(workload, server.Name)];
                Assert.True(m.Messages > 0, $"{server.Name} completed no requests on {workload.Name}: {log}");
                Assert.True(m.ServerCpu > TimeSpan.Zero, $"{server.Name} used no measurable CPU on {workload.Name}");
                Assert.Equal((0L, 0L), result.Failures[(workload, server.Name)]);
            }
        }
        string markdown = HttpComparisonReport.Markdown(result, "iomux compare --http");
        Assert.Contains("### POST /echo 16 KiB, 2 connections", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("This run failed", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_any_run_fail_the_report_and_are_shown_apart()
    {
        ServerSpec reference = new(HttpServerCatalog.Reference, "dotnet", [], IsReference: true);
        var workload = new HttpWorkload("plaintext", 50);
        var m = new Measurement();
        m.Add(1000, TimeSpan.FromSeconds(1), new ProcessUsage(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(10), 0), 900, 7, "socket errors: connect 0, read 2, write 0, timeout 0");
        var result = new HttpComparisonResult(
            new HttpComparisonOptions([reference], [workload], 1, TimeSpan.FromSeconds(1), 1, 21500),
            [reference],
            new Dictionary<string, string>(),
            new Dictionary<(HttpWorkload, string), Measurement> { [(workload, reference.Name)] = m },
            new Dictionary<(HttpWorkload, string), (long, long)> { [(workload, reference.Name)] = (2, 5) },
            DateTimeOffset.Now);
        string[] lines = HttpComparisonReport.Markdown(result, "iomux compare --http").Split('\n');
        Assert.Contains("| kestrel-sockets | 1,000 | 1.00× | 30.00 | 1.00× | 20.00 | 1.00× | 10.00 | 1.00× | 900 | 1.00× | 2 | 5 |", lines);
        Assert.Contains(lines, l => l.StartsWith("**This run failed: 7 socket errors and non-2xx responses**", StringComparison.Ordinal));
    }
}
