using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IoMux.AspNetCore.Tests;

/// <summary>HTTP/2 over cleartext with prior knowledge: many streams on one IoMux connection.</summary>
public sealed class Http2Tests
{
    private static Task<TestApp> StartAsync(string mode) => TestApp.StartAsync(mode, web =>
    {
        web.MapGet("/plaintext", () => "Hello, World!");
        web.MapGet("/version", (HttpContext context) => context.Request.Protocol);
    }, listen: options => options.Protocols = HttpProtocols.Http2);

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task HttpClientMultiplexesStreamsOnOneConnection(string mode)
    {
        await using TestApp app = await StartAsync(mode);
        using HttpClient client = app.Client(version: HttpVersion.Version20);
        string[] answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetStringAsync("plaintext")));
        Assert.All(answers, answer => Assert.Equal("Hello, World!", answer));
        Assert.Equal("HTTP/2", await client.GetStringAsync("version"));
    }

    [ToolTheory("curl")]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task CurlWithPriorKnowledgeSpeaksHttp2(string mode)
    {
        await using TestApp app = await StartAsync(mode);
        (int exitCode, string output, string errors) = await ExternalTool.RunAsync("curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version} %{http_code}", $"{app.Address}plaintext");
        Assert.True(exitCode == 0, $"curl exited with {exitCode}: {errors}");
        Assert.Equal("Hello, World! 2 200", output);
    }

    [ToolTheory("h2load")]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task H2loadFinishesEveryRequestWithoutError(string mode)
    {
        await using TestApp app = await StartAsync(mode);
        (int exitCode, string output, string errors) = await ExternalTool.RunAsync("h2load", "-n", "2000", "-c", "4", "-m", "10", $"{app.Address}plaintext");
        Assert.True(exitCode == 0, $"h2load exited with {exitCode}: {output}{errors}");
        Assert.Contains("requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout", output);
        Assert.Contains("status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx", output);
    }
}
