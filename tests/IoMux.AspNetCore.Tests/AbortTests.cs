using System.Net.Sockets;

namespace IoMux.AspNetCore.Tests;

/// <summary>Connections that end badly, from either side: the app is told, and the server goes on serving.</summary>
public sealed class AbortTests
{
    public static TheoryData<string, bool> ModesAndResets
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (string mode in Transports.MainModes)
            {
                data.Add(mode, true);
                data.Add(mode, false);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndResets))]
    public async Task AClientThatGoesAwayMidRequestFailsTheBodyRead(string mode, bool reset)
    {
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestApp app = await TestApp.StartAsync(mode, web =>
        {
            web.MapGet("/ok", () => "ok");
            web.MapPost("/upload", async (HttpContext context) =>
            {
                context.RequestAborted.Register(() => aborted.TrySetResult());
                byte[] buffer = new byte[4096];
                try
                {
                    while (await context.Request.Body.ReadAsync(buffer) > 0)
                    {
                        reading.TrySetResult();
                    }
                    failed.SetException(new InvalidOperationException("the body ended as if whole"));
                }
#pragma warning disable CA1031 // The failure is what the test asserts.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failed.TrySetResult(e);
                }
            });
        });
        Socket socket = await Raw.ConnectAsync(app.Address);
        await Raw.SendAsync(socket, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + new string('a', 1000));
        await reading.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (reset)
        {
            Raw.Reset(socket);
        }
        else
        {
            socket.Shutdown(SocketShutdown.Send); // FIN 99 000 bytes early
        }
        Exception error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(error is IOException or BadHttpRequestException or OperationCanceledException, $"the body read failed with {error}");
        if (reset)
        {
            await aborted.Task.WaitAsync(TimeSpan.FromSeconds(60)); // RequestAborted fires on a reset
        }
        socket.Dispose();
        using HttpClient client = app.Client();
        Assert.Equal("ok", await client.GetStringAsync("ok"));
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AClientThatResetsMidResponseEndsTheWrites(string mode)
    {
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestApp app = await TestApp.StartAsync(mode, web =>
        {
            web.MapGet("/ok", () => "ok");
            web.MapGet("/endless", async (HttpContext context) =>
            {
                byte[] chunk = new byte[64 * 1024];
                try
                {
                    while (!context.RequestAborted.IsCancellationRequested)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    }
                    ended.TrySetResult("aborted");
                }
#pragma warning disable CA1031 // The failure is what the test asserts.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ended.TrySetResult(e is OperationCanceledException or IOException ? "aborted" : e.ToString());
                }
            });
        });
        Socket socket = await Raw.ConnectAsync(app.Address);
        await Raw.SendAsync(socket, "GET /endless HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Contains("200 OK", await Raw.ReadUntilAsync(socket, "\r\n\r\n"));
        Raw.Reset(socket);
        Assert.Equal("aborted", await ended.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        using HttpClient client = app.Client();
        Assert.Equal("ok", await client.GetStringAsync("ok"));
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AnAppThatAbortsClosesTheConnectionWithoutAResponse(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web =>
        {
            web.MapGet("/ok", () => "ok");
            web.MapGet("/abort", (HttpContext context) => context.Abort());
        });
        Socket socket = await Raw.ConnectAsync(app.Address);
        await Raw.SendAsync(socket, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("", await Raw.ReadUntilAsync(socket, "HTTP/1.1"));
        socket.Dispose();
        using HttpClient client = app.Client();
        Assert.Equal("ok", await client.GetStringAsync("ok"));
    }
}
