using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Demos.Models;

/// <summary>Non-blocking I/O without a readiness API: ask every channel, again and again; most answers are EAGAIN.</summary>
internal static class PollingModel
{
    public static ModelCounts Read(ChannelSet channels)
    {
        channels.SetReadersNonBlocking(true);
        var open = new bool[channels.Count];
        Array.Fill(open, true);
        int remaining = channels.Count;
        var buffer = new byte[4096];
        long bytes = 0, reads = 0, empty = 0;
        while (remaining > 0)
        {
            for (int i = 0; i < open.Length; i++)
            {
                if (!open[i])
                {
                    continue;
                }
                int n = Posix.ReadOrThrow(channels.Reader(i).Fd, buffer);
                if (n < 0)
                {
                    empty++;
                    continue;
                }
                reads++;
                bytes += n;
                if (n == 0)
                {
                    open[i] = false;
                    remaining--;
                }
            }
        }
        return new ModelCounts(bytes, reads, empty, 0, 1);
    }
}
