namespace IoMux.Cli.Demos.Models;

/// <summary>The four ways the models demo reads the same channels.</summary>
internal enum DemoModel
{
    /// <summary>Synchronous, blocking: one thread per channel, each parked in read(2).</summary>
    Threads,
    /// <summary>Synchronous, non-blocking: one thread asks every channel in turn, EAGAIN or not.</summary>
    Polling,
    /// <summary>Readiness multiplexing: one thread waits on a Selector (epoll), then reads what is ready.</summary>
    Multiplexing,
    /// <summary>.NET async (Socket.ReceiveAsync): the caller is told when data has been read. On Linux the runtime builds it on epoll.</summary>
    Async,
}

internal static class IoModels
{
    public static IReadOnlyList<DemoModel> All { get; } = [DemoModel.Threads, DemoModel.Polling, DemoModel.Multiplexing, DemoModel.Async];

    public static string Name(DemoModel model) => model switch
    {
        DemoModel.Threads => "threads",
        DemoModel.Polling => "polling",
        DemoModel.Multiplexing => "multiplexing",
        _ => "async",
    };

    public static string Describe(DemoModel model) => model switch
    {
        DemoModel.Threads => "blocking read, one thread per channel",
        DemoModel.Polling => "non-blocking read loop over every channel, one thread",
        DemoModel.Multiplexing => "Selector (epoll) wait, then read the ready channels, one thread",
        _ => ".NET Socket.ReceiveAsync per channel (SocketAsyncEngine: epoll underneath on Linux)",
    };

    public static bool TryParse(string text, out DemoModel model)
    {
        foreach (DemoModel m in All)
        {
            if (string.Equals(Name(m), text, StringComparison.OrdinalIgnoreCase))
            {
                model = m;
                return true;
            }
        }
        model = default;
        return false;
    }
}
