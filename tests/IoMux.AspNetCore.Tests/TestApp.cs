using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoMux.AspNetCore.Tests;

/// <summary>
/// A real ASP.NET Core app on the IoMux transport: a slim <see cref="WebApplication"/> on a loopback port the kernel
/// picks (or on the endpoints the test configures), with the routes a test maps. Every app also answers
/// <c>/transport</c> with the serving connection's IoMux loop, so a test can prove its requests did not fall
/// through to Kestrel's Sockets transport.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    /// <summary>The first bound address (http://127.0.0.1:port/), or http://localhost/ for a Unix-only app.</summary>
    public Uri Address { get; }

    public static async Task<TestApp> StartAsync(string mode, Action<WebApplication> map, Action<KestrelServerOptions>? kestrel = null, Action<ListenOptions>? listen = null, bool loopbackPort = true)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseIoMux(options => Transports.Configure(mode, options));
        builder.WebHost.ConfigureKestrel(options =>
        {
            if (loopbackPort)
            {
                options.Listen(IPAddress.Loopback, 0, listenOptions => listen?.Invoke(listenOptions));
            }
            kestrel?.Invoke(options);
        });
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));
        WebApplication app = builder.Build();
        app.MapGet("/transport", (HttpContext context) =>
            context.Features.Get<IIoMuxConnectionFeature>() is { } feature ? $"iomux {feature.EventLoop.Name}" : "not iomux");
        map(app);
        await app.StartAsync();
        string first = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = first.StartsWith("http://unix:", StringComparison.Ordinal) ? new Uri("http://localhost/") : new Uri(first.TrimEnd('/') + "/");
        return new TestApp(app, address);
    }

    public HttpClient Client(int? maxConnections = null, Version? version = null)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        if (maxConnections is { } max)
        {
            handler.MaxConnectionsPerServer = max;
        }
        var client = new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        return client;
    }

    /// <summary>A client whose every connection goes to the Unix socket at <paramref name="path"/>.</summary>
    public static HttpClient UnixClient(string path) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = new Uri("http://localhost/"), Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(deadline.Token);
        await App.DisposeAsync();
    }
}
