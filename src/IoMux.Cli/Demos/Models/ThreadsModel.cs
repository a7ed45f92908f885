using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Demos.Models;

/// <summary>Blocking I/O, one thread per channel: simple code, one parked thread (and its stack) per connection.</summary>
internal static class ThreadsModel
{
    public static ModelCounts Read(ChannelSet channels)
    {
        channels.SetReadersNonBlocking(false);
        var bytes = new long[channels.Count];
        var reads = new long[channels.Count];
        var threads = new Thread[channels.Count];
        for (int i = 0; i < threads.Length; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                var buffer = new byte[4096];
                int fd = channels.Reader(index).Fd;
                int n;
                do
                {
                    n = Posix.ReadOrThrow(fd, buffer);
                    reads[index]++;
                    bytes[index] += Math.Max(n, 0);
                }
                while (n > 0);
            })
            { IsBackground = true, Name = $"reader-{i}" };
            threads[i].Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }
        return new ModelCounts(bytes.Sum(), reads.Sum(), 0, 0, threads.Length);
    }
}
