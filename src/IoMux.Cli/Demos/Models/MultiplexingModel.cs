using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Demos.Models;

/// <summary>Readiness multiplexing: one thread sleeps in the selector and reads only channels the kernel says are ready.</summary>
internal static class MultiplexingModel
{
    public static ModelCounts Read(ChannelSet channels, SelectorBackend backend = SelectorBackend.Auto)
    {
        channels.SetReadersNonBlocking(true);
        using Selector selector = Selector.Create(backend);
        for (int i = 0; i < channels.Count; i++)
        {
            selector.Register(channels.Reader(i), Interest.Read);
        }
        var events = new SelectorEvent[channels.Count];
        var buffer = new byte[4096];
        long bytes = 0, reads = 0, empty = 0, waits = 0;
        while (selector.Registrations.Count > 0)
        {
            waits++;
            foreach (SelectorEvent ev in selector.Wait(events, Timeout.InfiniteTimeSpan))
            {
                int n = Posix.ReadOrThrow(ev.Fd, buffer);
                if (n < 0)
                {
                    empty++;
                    continue;
                }
                reads++;
                bytes += n;
                if (n == 0)
                {
                    selector.Unregister(ev.Fd);
                }
            }
        }
        return new ModelCounts(bytes, reads, empty, waits, 1);
    }
}
