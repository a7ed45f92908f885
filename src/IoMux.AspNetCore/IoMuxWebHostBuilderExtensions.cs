using IoMux.AspNetCore;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Puts Kestrel on the IoMux transport, as <c>UseSockets</c> puts it on the Sockets one.</summary>
public static class IoMuxWebHostBuilderExtensions
{
    /// <summary>Serves Kestrel's endpoints on IoMux with the default options (epoll readiness, one loop per core).</summary>
    /// <param name="hostBuilder">The web host builder, e.g. <c>builder.WebHost</c>.</param>
    /// <returns><paramref name="hostBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hostBuilder"/> is <see langword="null"/>.</exception>
    public static IWebHostBuilder UseIoMux(this IWebHostBuilder hostBuilder)
    {
        ArgumentNullException.ThrowIfNull(hostBuilder);
        return hostBuilder.ConfigureServices(services => services.AddSingleton<IConnectionListenerFactory>(provider =>
            new IoMuxTransportFactory(
                provider.GetRequiredService<IOptions<IoMuxTransportOptions>>(),
                provider.GetService<ILoggerFactory>(),
                provider.GetService<IMemoryPoolFactory<byte>>())));
    }

    /// <summary>Serves Kestrel's endpoints on IoMux, configured by <paramref name="configureOptions"/>.</summary>
    /// <param name="hostBuilder">The web host builder, e.g. <c>builder.WebHost</c>.</param>
    /// <param name="configureOptions">Sets the backend, I/O model, trigger, loop count, scheduling and buffers.</param>
    /// <returns><paramref name="hostBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hostBuilder"/> or <paramref name="configureOptions"/> is <see langword="null"/>.</exception>
    public static IWebHostBuilder UseIoMux(this IWebHostBuilder hostBuilder, Action<IoMuxTransportOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(hostBuilder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        return hostBuilder.UseIoMux().ConfigureServices(services => services.Configure(configureOptions));
    }
}
