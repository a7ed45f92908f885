using IoMux;
using IoMux.AspNetCore;

namespace HttpApp;

/// <summary>The transports under Kestrel that the benchmark compares, by the names bench/http.sh gives them.</summary>
internal static class Transports
{
    public static readonly IReadOnlyList<string> Names = ["sockets", "sockets-inline", "iomux-epoll", "iomux-epoll-inline", "iomux-uring"];

    public static void Apply(IWebHostBuilder host, string name)
    {
        switch (name)
        {
            case "sockets":
                // Kestrel's default: the Sockets transport, the application's work dispatched to the thread pool.
                break;
            case "sockets-inline":
                // Continuations run on the socket engine's threads: the Sockets transport's lowest-overhead setting.
                host.UseSockets(options => options.UnsafePreferInlineScheduling = true);
                break;
            case "iomux-epoll":
                // IoMux readiness on epoll, the application on the thread pool as under the Sockets default.
                host.UseIoMux(options => options.Backend = SelectorBackend.Epoll);
                break;
            case "iomux-epoll-inline":
                // Kestrel and the application on the loop thread: no hand-over to the thread pool and back per request.
                host.UseIoMux(options =>
                {
                    options.Backend = SelectorBackend.Epoll;
                    options.UnsafePreferInlineScheduling = true;
                });
                break;
            case "iomux-uring":
                // IoMux's completion model on io_uring, the application on the thread pool.
                host.UseIoMux(options =>
                {
                    options.Backend = SelectorBackend.IoUring;
                    options.IoModel = IoModel.Completion;
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, $"unknown transport; use {string.Join(", ", Names)}");
        }
    }
}
