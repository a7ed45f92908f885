using System.Net;
using System.Net.Sockets;

namespace IoMux.AspNetCore.Tests;

/// <summary>KestrelServerOptions.Limits hold over the IoMux transport as over the Sockets one.</summary>
public sealed class LimitTests
{
    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task MaxConcurrentConnectionsTurnsAwayTheOneTooMany(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/ok", () => "ok"), kestrel => kestrel.Limits.MaxConcurrentConnections = 2);
        Socket first = await Raw.ConnectAsync(app.Address);
        using Socket second = await Raw.ConnectAsync(app.Address);
        foreach (Socket held in new[] { first, second })
        {
            await Raw.SendAsync(held, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Contains("200 OK", await Raw.ReadUntilAsync(held, "ok"));
        }
        using (Socket third = await Raw.ConnectAsync(app.Address))
        {
            await Raw.SendAsync(third, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal("", await Raw.ReadUntilAsync(third, "HTTP/1.1")); // closed unanswered
        }
        first.Dispose();
        // Kestrel counts the first connection out once it has seen it close: retry until it has.
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string answer = "";
        while (DateTime.UtcNow < deadline && !answer.Contains("200 OK", StringComparison.Ordinal))
        {
            using Socket again = await Raw.ConnectAsync(app.Address);
            await Raw.SendAsync(again, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            answer = await Raw.ReadUntilAsync(again, "ok");
        }
        Assert.Contains("200 OK", answer);
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task ABodyOverMaxRequestBodySizeIsRefused(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapPost("/upload", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return (await reader.ReadToEndAsync()).Length;
        }), kestrel => kestrel.Limits.MaxRequestBodySize = 1000);
        using HttpClient client = app.Client();
        using HttpResponseMessage small = await client.PostAsync("upload", new StringContent(new string('a', 1000)));
        Assert.Equal("1000", await small.Content.ReadAsStringAsync());
        using HttpResponseMessage large = await client.PostAsync("upload", new StringContent(new string('a', 1001)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }
}
