using IoMux.Native;

namespace IoMux.Tests.Selectors;

/// <summary>
/// Where io_uring is allowed, it is in <see cref="Backends.All"/> and every conformance test runs on it; these
/// facts prove that and are skipped, with the kernel's reason, where it is refused.
/// </summary>
public sealed class IoUringAvailabilityTests
{
    [IoUringFact]
    public void The_conformance_suite_runs_on_io_uring() => Assert.Contains(SelectorBackend.IoUring, Backends.All);

    [IoUringFact]
    public void An_io_uring_selector_reports_a_ready_pipe()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        Assert.Equal(SelectorBackend.IoUring, selector.Backend);
        (FileDescriptor read, FileDescriptor write) = Descriptors.Pipe();
        using (read)
        using (write)
        {
            selector.Register(read, Interest.Read);
            Descriptors.WriteOrThrow(write.Fd, [1]);
            var buffer = new SelectorEvent[4];
            var seen = new List<(int, Readiness)>();
            foreach (SelectorEvent e in selector.Wait(buffer, TimeSpan.FromSeconds(5)))
            {
                seen.Add((e.Fd, e.Readiness));
            }
            Assert.Equal([(read.Fd, Readiness.Read)], seen);
        }
    }
}
