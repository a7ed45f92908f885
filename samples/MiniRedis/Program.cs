using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using IoMux;
using IoMux.Native;
using IoMux.Pipelines;
using IoMux.Transport;

namespace MiniRedis;

/// <summary>
/// <c>MiniRedis [--port N] [--loops N]</c>: a Redis-protocol server on the pipe API only. Each connection's session runs
/// inline on its loop thread, as Redis runs every client on its one thread: no thread hop per request.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (!TryParse(args, out int port, out int loops, out string? problem))
        {
            Console.Error.WriteLine($"MiniRedis: {problem}; usage: MiniRedis [--port N (0-65535, default 6379)] [--loops N (1-64, default 1)]");
            return 2;
        }
        var store = new Store();
        var commands = new Commands(store);
        using var stop = new ManualResetEventSlim();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Set(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Set(); });
        using var sweep = new Timer(_ => store.Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using var group = new EventLoopGroup(loops);
        TcpServer server;
        try
        {
            server = PipeServer.Start(group, new IPEndPoint(IPAddress.Loopback, port),
                (connection, closed) => RedisSession.RunAsync(connection, commands, closed),
                new TcpServerOptions { AllowHalfOpen = true },
                new PipeConnectionOptions { RunApplicationInline = true });
        }
        catch (SyscallException e) when (e.Errno == Errno.EADDRINUSE)
        {
            Console.Error.WriteLine($"MiniRedis: port {port} is already in use (a redis-server?); choose another --port (0 picks a free one)");
            return 2;
        }
        using (server)
        {
            group.Start();
            Console.WriteLine($"MiniRedis: listening on {server.LocalEndPoint}");
            stop.Wait();
            server.StopAsync(TimeSpan.FromSeconds(1)).Wait(TimeSpan.FromSeconds(3));
        }
        return 0;
    }

    private static bool TryParse(string[] args, out int port, out int loops, out string? problem)
    {
        port = 6379;
        loops = 1;
        problem = null;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is not ("--port" or "--loops") || i + 1 == args.Length)
            {
                problem = $"unknown argument or missing value: '{name}'";
                return false;
            }
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                || (name == "--port" ? value > 65535 : value is < 1 or > 64))
            {
                problem = $"{name} {args[i]} is out of range";
                return false;
            }
            if (name == "--port")
            {
                port = value;
            }
            else
            {
                loops = value;
            }
        }
        return true;
    }
}
