// The minimal app bench/http.sh drives with wrk: the same three endpoints on each transport it compares.
//
//   HttpApp --port PORT --transport sockets|sockets-inline|iomux-epoll|iomux-epoll-inline|iomux-uring
using System.Globalization;
using System.Net;
using HttpApp;

if (Arguments.Parse(args) is not { } parsed)
{
    await Console.Error.WriteLineAsync($"usage: HttpApp --port PORT (1..65535) --transport {string.Join('|', Transports.Names)}").ConfigureAwait(false);
    return 2;
}

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, parsed.Port));
Transports.Apply(builder.WebHost, parsed.Transport);
await using WebApplication app = builder.Build();
Endpoints.Map(app);
await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"HttpApp on 127.0.0.1:{parsed.Port}, transport {parsed.Transport}")).ConfigureAwait(false);
await app.RunAsync().ConfigureAwait(false);
return 0;
