namespace IoMux.AspNetCore.Tests;

/// <summary>A Unix socket endpoint (<c>ListenUnixSocket</c>): served through curl and HttpClient, its file gone once the host stops.</summary>
public sealed class UnixSocketTests
{
    [ToolTheory("curl")]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task CurlAndHttpClientAreServedOverTheSocket(string mode)
    {
        string path = Path.Combine(Path.GetTempPath(), $"iomux-aspnet-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        TestApp app = await TestApp.StartAsync(mode, web => web.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return $"{context.Request.Protocol} {await reader.ReadToEndAsync()}";
        }), kestrel => kestrel.ListenUnixSocket(path), loopbackPort: false);
        await using (app)
        {
            (int exitCode, string output, string errors) = await ExternalTool.RunAsync("curl", "-sS", "--unix-socket", path, "--data-binary", "over unix", "http://localhost/echo");
            Assert.True(exitCode == 0, $"curl exited with {exitCode}: {errors}");
            Assert.Equal("HTTP/1.1 over unix", output);
            using HttpClient client = TestApp.UnixClient(path);
            Assert.StartsWith("iomux loop-", await client.GetStringAsync("transport"));
        }
        Assert.False(File.Exists(path), $"{path} was left behind after the host stopped");
    }
}
