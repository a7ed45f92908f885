using BenchmarkDotNet.Attributes;
using IoMux.Native;

namespace IoMux.Benchmarks;

/// <summary>
/// Register then Unregister one descriptor on a selector already holding 900 registrations: the cost of a
/// connection arriving and leaving. epoll makes two epoll_ctl calls; poll and select only mark their
/// descriptor arrays for rebuilding (paid by the next wait, not here) after an fcntl check that the descriptor is open.
/// </summary>
[MemoryDiagnoser]
public class RegistrationBenchmarks
{
    private const int Registered = 900;

    private ReadyDescriptors _fds = null!;
    private FileDescriptor _subject = null!;
    private Selector _epoll = null!;
    private Selector _poll = null!;
    private Selector _select = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fds = new ReadyDescriptors(Registered, 1);
        _subject = Descriptors.EventFd();
        _epoll = Selector.Create(SelectorBackend.Epoll);
        _poll = Selector.Create(SelectorBackend.Poll);
        _select = Selector.Create(SelectorBackend.Select);
        foreach (Selector selector in new[] { _epoll, _poll, _select })
        {
            _fds.RegisterAll(selector);
        }
    }

    [Benchmark(Baseline = true)]
    public void Epoll() => RegisterAndUnregister(_epoll);

    [Benchmark]
    public void Poll() => RegisterAndUnregister(_poll);

    [Benchmark]
    public void Select() => RegisterAndUnregister(_select);

    [GlobalCleanup]
    public void Cleanup()
    {
        _epoll.Dispose();
        _poll.Dispose();
        _select.Dispose();
        _subject.Dispose();
        _fds.Dispose();
    }

    private void RegisterAndUnregister(Selector selector)
    {
        selector.Register(_subject.Fd, Interest.Read);
        selector.Unregister(_subject.Fd);
    }
}
