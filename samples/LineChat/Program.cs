using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace LineChat;

/// <summary><c>LineChat [--port N]</c>: a line-based chat room; try it with two or more <c>nc 127.0.0.1 7000</c>.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        int port = 7000;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535)
            {
                i++;
                continue;
            }
            Console.Error.WriteLine($"LineChat: unknown or malformed argument '{args[i]}'; usage: LineChat [--port N] (0-65535)");
            return 2;
        }
        using var stop = new ManualResetEventSlim();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Set(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Set(); });
        using ChatServer chat = ChatServer.Start(new IPEndPoint(IPAddress.Loopback, port));
        Console.WriteLine($"LineChat: listening on {chat.LocalEndPoint}");
        stop.Wait();
        return 0;
    }
}
