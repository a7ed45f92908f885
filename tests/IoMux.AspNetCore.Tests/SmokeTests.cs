using System.Net;

namespace IoMux.AspNetCore.Tests;

public sealed class SmokeTests
{
    [Theory]
    [MemberData(nameof(Transports.Every), MemberType = typeof(Transports))]
    public async Task RequestsAreServedByTheIoMuxTransport(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/hello", () => "hello"));
        using HttpClient client = app.Client();
        Assert.StartsWith("iomux loop-", await client.GetStringAsync("transport"));
        Assert.Equal("hello", await client.GetStringAsync("hello"));
        using HttpResponseMessage missing = await client.GetAsync("nowhere");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
