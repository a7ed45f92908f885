using IoMux.Native;

namespace IoMux.Tests.Selectors;

/// <summary>
/// The io_uring probe tells a refusal (the kernel, a sysctl or seccomp says no: io_uring is left out, with the
/// reason) from a fault (a malformed request, no memory, no descriptors: thrown, so it fails the run); and a run
/// that requires io_uring fails, naming the refusal, where it would otherwise leave io_uring out.
/// </summary>
public sealed class IoUringProbeTests
{
    [Fact]
    public void Only_EPERM_EACCES_and_ENOSYS_are_refusals()
    {
        Assert.True(IoUringSupport.IsRefusal(Errno.EPERM));
        Assert.True(IoUringSupport.IsRefusal(Errno.EACCES));
        Assert.True(IoUringSupport.IsRefusal(Errno.ENOSYS));
        foreach (Errno fault in new[] { Errno.EINVAL, Errno.ENOMEM, Errno.EMFILE, Errno.ENFILE, Errno.EFAULT })
        {
            Assert.False(IoUringSupport.IsRefusal(fault), $"{fault} was taken for a refusal");
        }
    }

    [IoUringFact]
    public void A_setup_the_kernel_rejects_as_malformed_is_thrown_not_remembered_as_a_refusal()
    {
        // A ring of zero entries is EINVAL from the real io_uring_setup: what a struct or argument bug looks like.
        SyscallException e = Assert.Throws<SyscallException>(() => IoUringSupport.Probe(sqEntries: 0));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("io_uring_setup", e.Call);
        // The cached answer is untouched: io_uring is still available.
        Assert.True(Selector.IsAvailable(SelectorBackend.IoUring, out string? reason), reason);
    }

    [IoUringRequiredFact]
    public void A_run_that_requires_io_uring_has_it()
    {
        Assert.True(Selector.IsAvailable(SelectorBackend.IoUring, out string? reason),
            $"{Backends.RequireIoUringVariable}=1 but io_uring is refused here: {reason}");
        Assert.Contains(SelectorBackend.IoUring, Backends.All);
    }
}
