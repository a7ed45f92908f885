using BenchmarkDotNet.Attributes;

namespace IoMux.Benchmarks;

/// <summary>
/// One level-triggered Wait(0) returning <see cref="Ready"/> events among 900 registered descriptors, on each
/// backend (io_uring too: run where the kernel allows it), events consumed with foreach as a caller would. 900 keeps every descriptor below FD_SETSIZE so
/// select(2) runs the same case. epoll is the baseline: the Ratio column is each backend's cost relative to it.
/// </summary>
[MemoryDiagnoser]
public class SelectorWaitBenchmarks
{
    private const int Registered = 900;

    private readonly SelectorEvent[] _events = new SelectorEvent[1024];
    private ReadyDescriptors _fds = null!;
    private Selector _epoll = null!;
    private Selector _poll = null!;
    private Selector _select = null!;
    private Selector _ioUring = null!;

    [Params(1, 64, Registered)]
    public int Ready { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fds = new ReadyDescriptors(Registered, Ready);
        if (_fds.Highest >= 1024)
        {
            throw new InvalidOperationException($"descriptor {_fds.Highest} is too high for select(2); the benchmark process has too many descriptors open");
        }
        _epoll = Selector.Create(SelectorBackend.Epoll);
        _poll = Selector.Create(SelectorBackend.Poll);
        _select = Selector.Create(SelectorBackend.Select);
        _ioUring = Selector.Create(SelectorBackend.IoUring);
        foreach (Selector selector in new[] { _epoll, _poll, _select, _ioUring })
        {
            _fds.RegisterAll(selector);
        }
    }

    [Benchmark(Baseline = true)]
    public int Epoll() => WaitOnce(_epoll);

    [Benchmark]
    public int Poll() => WaitOnce(_poll);

    [Benchmark]
    public int Select() => WaitOnce(_select);

    [Benchmark]
    public int IoUring() => WaitOnce(_ioUring);

    [GlobalCleanup]
    public void Cleanup()
    {
        _epoll.Dispose();
        _poll.Dispose();
        _select.Dispose();
        _ioUring.Dispose();
        _fds.Dispose();
    }

    private int WaitOnce(Selector selector)
    {
        int seen = 0;
        foreach (SelectorEvent ev in selector.Wait(_events, TimeSpan.Zero))
        {
            seen += (int)ev.Readiness;
        }
        return seen;
    }
}
