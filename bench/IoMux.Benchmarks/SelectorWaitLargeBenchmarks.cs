using BenchmarkDotNet.Attributes;

namespace IoMux.Benchmarks;

/// <summary>
/// The same wait with 4096 registered descriptors, beyond select(2)'s reach: epoll pays per ready
/// descriptor, poll per registered one. epoll is the baseline.
/// </summary>
[MemoryDiagnoser]
public class SelectorWaitLargeBenchmarks
{
    private const int Registered = 4096;

    private readonly SelectorEvent[] _events = new SelectorEvent[1024];
    private ReadyDescriptors _fds = null!;
    private Selector _epoll = null!;
    private Selector _poll = null!;

    [Params(1, 64, 1024)]
    public int Ready { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fds = new ReadyDescriptors(Registered, Ready);
        _epoll = Selector.Create(SelectorBackend.Epoll);
        _poll = Selector.Create(SelectorBackend.Poll);
        _fds.RegisterAll(_epoll);
        _fds.RegisterAll(_poll);
    }

    [Benchmark(Baseline = true)]
    public int Epoll() => WaitOnce(_epoll);

    [Benchmark]
    public int Poll() => WaitOnce(_poll);

    [GlobalCleanup]
    public void Cleanup()
    {
        _epoll.Dispose();
        _poll.Dispose();
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
