// Kestrel as a raw TCP server: ASP.NET Core's transport (socket engine + System.IO.Pipelines) with a
// ConnectionHandler and no HTTP. This is what the .NET team's own TCP benchmarks build on.
using System.Globalization;
using System.Net;
using KestrelEcho;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync("usage: KestrelEcho PORT (1..65535)").ConfigureAwait(false);
    return 2;
}

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(options =>
    options.Listen(IPAddress.Loopback, port, listen => listen.UseConnectionHandler<EchoConnectionHandler>()));
await using WebApplication app = builder.Build();
await Console.Error.WriteLineAsync($"kestrel echo on 127.0.0.1:{port}").ConfigureAwait(false);
await app.RunAsync().ConfigureAwait(false);
return 0;
