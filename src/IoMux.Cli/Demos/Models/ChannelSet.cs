using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Demos.Models;

/// <summary>
/// The channels of one models run: AF_UNIX socketpairs (the one descriptor kind every model, including
/// .NET's Socket async, can read), and the producer thread that feeds and then closes them.
/// </summary>
internal sealed class ChannelSet : IDisposable
{
    private readonly PosixDescriptor[] _readers;
    private readonly PosixDescriptor?[] _writers;
    private readonly ModelWorkload _workload;
    private Thread? _producer;
    private Exception? _producerError;
    private bool _nobodyReads;

    public ChannelSet(ModelWorkload workload)
    {
        _workload = workload;
        _readers = new PosixDescriptor[workload.Channels];
        _writers = new PosixDescriptor?[workload.Channels];
        try
        {
            for (int i = 0; i < workload.Channels; i++)
            {
                (_readers[i], _writers[i]) = Posix.SocketPair(nonBlocking: false);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _readers.Length;

    public PosixDescriptor Reader(int index) => _readers[index];

    public void SetReadersNonBlocking(bool nonBlocking)
    {
        foreach (PosixDescriptor reader in _readers)
        {
            Posix.SetNonBlocking(reader.Fd, nonBlocking);
        }
    }

    /// <summary>
    /// Starts the producer: rounds of one message per channel, a pause between rounds, then EOF on every channel.
    /// With <paramref name="nobodyReads"/> (the syscall baseline) every message is one non-blocking write whose
    /// EAGAIN is ignored, so the producer makes the same calls as usual and never blocks on a full channel.
    /// </summary>
    public void StartProducer(bool nobodyReads = false)
    {
        _nobodyReads = nobodyReads;
        _producer = new Thread(Produce) { IsBackground = true, Name = "producer" };
        _producer.Start();
    }

    /// <summary>Waits for the producer; rethrows what it failed with.</summary>
    public void JoinProducer()
    {
        _producer?.Join();
        if (_producerError is not null)
        {
            throw new InvalidOperationException($"the producer failed: {_producerError.Message}", _producerError);
        }
    }

    public void Dispose()
    {
        foreach (PosixDescriptor? fd in _readers)
        {
            fd?.Dispose();
        }
        CloseWriters();
    }

    private void Produce()
    {
        try
        {
            var message = new byte[_workload.MessageSize];
            message.AsSpan().Fill((byte)'m');
            if (_nobodyReads)
            {
                foreach (PosixDescriptor? writer in _writers)
                {
                    Posix.SetNonBlocking(writer!.Fd, true);
                }
            }
            for (int round = 0; round < _workload.Messages; round++)
            {
                foreach (PosixDescriptor? writer in _writers)
                {
                    int written = 0;
                    do
                    {
                        written += Math.Max(Posix.WriteOrThrow(writer!.Fd, message.AsSpan(written)), 0);
                    }
                    while (written < message.Length && !_nobodyReads);
                }
                if (_workload.Pause > TimeSpan.Zero)
                {
                    Thread.Sleep(_workload.Pause);
                }
            }
        }
        catch (IOException e)
        {
            _producerError = e;
        }
        finally
        {
            CloseWriters();
        }
    }

    private void CloseWriters()
    {
        for (int i = 0; i < _writers.Length; i++)
        {
            Interlocked.Exchange(ref _writers[i], null)?.Dispose();
        }
    }
}
