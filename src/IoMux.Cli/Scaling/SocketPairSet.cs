using IoMux.Native;

namespace IoMux.Cli.Scaling;

/// <summary>N connected, non-blocking AF_UNIX socketpairs: a reader and a writer end each.</summary>
internal sealed class SocketPairSet : IDisposable
{
    private readonly FileDescriptor[] _readers;
    private readonly FileDescriptor[] _writers;

    public SocketPairSet(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _readers = new FileDescriptor[count];
        _writers = new FileDescriptor[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                (_readers[i], _writers[i]) = Descriptors.SocketPair(nonBlocking: true);
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

    public FileDescriptor Reader(int index) => _readers[index];

    public FileDescriptor Writer(int index) => _writers[index];

    public void Dispose()
    {
        foreach (FileDescriptor? fd in _readers)
        {
            fd?.Dispose();
        }
        foreach (FileDescriptor? fd in _writers)
        {
            fd?.Dispose();
        }
    }
}
