using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Scaling;

/// <summary>N connected, non-blocking AF_UNIX socketpairs: a reader and a writer end each.</summary>
internal sealed class SocketPairSet : IDisposable
{
    private readonly PosixDescriptor[] _readers;
    private readonly PosixDescriptor[] _writers;

    public SocketPairSet(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _readers = new PosixDescriptor[count];
        _writers = new PosixDescriptor[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                (_readers[i], _writers[i]) = Posix.SocketPair(nonBlocking: true);
                HighestReader = Math.Max(HighestReader, _readers[i].Fd);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _readers.Length;

    /// <summary>The largest reader descriptor: what select(2) would have to fit below FD_SETSIZE.</summary>
    public int HighestReader { get; }

    public PosixDescriptor Reader(int index) => _readers[index];

    public PosixDescriptor Writer(int index) => _writers[index];

    public void Dispose()
    {
        foreach (PosixDescriptor? fd in _readers)
        {
            fd?.Dispose();
        }
        foreach (PosixDescriptor? fd in _writers)
        {
            fd?.Dispose();
        }
    }
}
