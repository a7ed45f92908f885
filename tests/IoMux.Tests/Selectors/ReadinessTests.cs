using IoMux.Native;

namespace IoMux.Tests.Selectors;

public sealed class ReadinessTests
{
    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Fresh_socketpair_reports_only_the_writer_ready(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (a)
        using (b)
        {
            selector.Register(a, Interest.Read);
            selector.Register(b, Interest.Write);
            var buffer = new SelectorEvent[8];
            var seen = new List<(int, Readiness)>();
            foreach (SelectorEvent e in selector.Wait(buffer, TimeSpan.Zero))
            {
                seen.Add((e.Fd, e.Readiness));
            }
            Assert.Equal([(b.Fd, Readiness.Write)], seen);
        }
    }
}
