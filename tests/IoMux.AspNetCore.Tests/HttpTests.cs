using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

namespace IoMux.AspNetCore.Tests;

/// <summary>HTTP/1.1 through HttpClient: keep-alive, large bodies both ways, many connections, slow uploads, streaming.</summary>
public sealed class HttpTests
{
    private const int TenMiB = 10 * 1024 * 1024;

    [Theory]
    [MemberData(nameof(Transports.Every), MemberType = typeof(Transports))]
    public async Task GetAndPostShareOneKeptAliveConnection(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web =>
        {
            web.MapGet("/id", (HttpContext context) => context.Connection.Id);
            web.MapPost("/id", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                return $"{context.Connection.Id} {await reader.ReadToEndAsync()}";
            });
        });
        using HttpClient client = app.Client(maxConnections: 1);
        var ids = new HashSet<string>();
        for (int i = 0; i < 10; i++)
        {
            ids.Add(await client.GetStringAsync("id"));
            using HttpResponseMessage posted = await client.PostAsync("id", new StringContent($"body {i}"));
            string[] answer = (await posted.Content.ReadAsStringAsync()).Split(' ', 2);
            Assert.Equal($"body {i}", answer[1]);
            ids.Add(answer[0]);
        }
        Assert.Single(ids);
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task TenMebibyteBodiesAreStreamedBothWays(string mode)
    {
        byte[] body = RandomNumberGenerator.GetBytes(TenMiB);
        await using TestApp app = await TestApp.StartAsync(mode, web =>
        {
            // Hashed as it arrives: a body this size never sits whole in the server. (Not echoed: HttpClient sends an
            // HTTP/1.1 body before it reads the response, so an echo this size stalls on any transport, Kestrel's own too.)
            web.MapPost("/hash", async (HttpContext context) =>
            {
                context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
                return Convert.ToHexString(hash.GetHashAndReset());
            });
            web.MapGet("/download", async (HttpContext context) =>
            {
                context.Response.ContentLength = body.Length;
                for (int offset = 0; offset < body.Length; offset += 256 * 1024)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(256 * 1024, body.Length - offset)), context.RequestAborted);
                }
            });
        });
        using HttpClient client = app.Client();
        using HttpResponseMessage uploaded = await client.PostAsync("hash", new StreamContent(new MemoryStream(body), 64 * 1024));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(body)), await uploaded.Content.ReadAsStringAsync());
        byte[] downloaded = await client.GetByteArrayAsync("download");
        Assert.Equal(body.Length, downloaded.Length);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(downloaded));
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task FiveHundredConnectionsAreServedAtOnce(string mode)
    {
        const int Connections = 500;
        int arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/gate", async (HttpContext context) =>
        {
            // Every request waits until all 500 are in the server at once: only 500 open connections get there.
            if (Interlocked.Increment(ref arrived) == Connections)
            {
                all.SetResult();
            }
            await all.Task.WaitAsync(TimeSpan.FromSeconds(90));
            return context.Connection.Id;
        }));
        using HttpClient client = app.Client(maxConnections: Connections);
        string[] ids = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => client.GetStringAsync("gate")));
        Assert.Equal(Connections, ids.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task ASlowUploadArrivesWhole(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapPost("/hash", async (HttpContext context) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[4096];
            int read;
            long total = 0;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }
            return $"{total} {Convert.ToHexString(hash.GetHashAndReset())}";
        }));
        byte[] body = RandomNumberGenerator.GetBytes(40 * 1000);
        using HttpClient client = app.Client();
        using HttpResponseMessage response = await client.PostAsync("hash", new TrickleContent(body, chunk: 1000, pause: TimeSpan.FromMilliseconds(20)));
        Assert.Equal($"{body.Length} {Convert.ToHexString(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AStreamedResponseReachesTheClientChunkByChunk(string mode)
    {
        var next = new SemaphoreSlim(0);
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/stream", async (HttpContext context) =>
        {
            for (int i = 0; i < 5; i++)
            {
                await context.Response.WriteAsync($"chunk {i}\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                // The next chunk is written only once the client has read this one: a buffered response would deadlock here.
                Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(60)), $"the client never read chunk {i}");
            }
        }));
        using HttpClient client = app.Client();
        using HttpResponseMessage response = await client.GetAsync("stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal($"chunk {i}", await reader.ReadLineAsync());
            next.Release();
        }
        Assert.Null(await reader.ReadLineAsync());
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task TheConnectionKnowsBothEndsAndItsTransport(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/ends", (HttpContext context) =>
            $"{context.Connection.LocalIpAddress}:{context.Connection.LocalPort} {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort} {context.Features.Get<IIoMuxConnectionFeature>()?.CloseReason?.ToString() ?? "open"}"));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, app.Address.Port);
        using var stream = new NetworkStream(socket);
        await stream.WriteAsync("GET /ends HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray());
        string response = await new StreamReader(stream).ReadToEndAsync();
        Assert.Contains($"\r\n{socket.RemoteEndPoint} {socket.LocalEndPoint} open\r\n", response);
    }

    /// <summary>A request body sent a chunk at a time with a pause between: an upload slower than the server reads.</summary>
    private sealed class TrickleContent(byte[] body, int chunk, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int offset = 0; offset < body.Length; offset += chunk)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(chunk, body.Length - offset)));
                await stream.FlushAsync();
                await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
