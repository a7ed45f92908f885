using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// Every refused call throws its documented exception and leaves the selector exactly as it was:
/// the same registrations, and the registered descriptors still report as before.
/// </summary>
public sealed class ErrorTests : IDisposable
{
    private readonly SocketPairEnds _watched = new();
    private readonly SocketPairEnds _spare = new();

    public void Dispose()
    {
        _watched.Dispose();
        _spare.Dispose();
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Registering_a_registered_descriptor_again_throws_AlreadyRegistered(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);

        var e = Snapshot.ThrowsAndChangesNothing<AlreadyRegisteredException>(selector, () => selector.Register(_watched.A, Interest.Write, trigger: trigger));
        Assert.Equal(_watched.A.Fd, e.Fd);
        // The same number through another route (raw int) is the same descriptor.
        Snapshot.ThrowsAndChangesNothing<AlreadyRegisteredException>(selector, () => selector.Register(_watched.A.Fd, Interest.Read, trigger: trigger));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Modifying_an_unregistered_descriptor_throws_NotRegistered(SelectorBackend backend)
    {
        using Selector selector = Watching(backend);

        var e = Snapshot.ThrowsAndChangesNothing<NotRegisteredException>(selector, () => selector.Modify(_spare.A.Fd, Interest.Read));
        Assert.Equal(_spare.A.Fd, e.Fd);
        Snapshot.ThrowsAndChangesNothing<NotRegisteredException>(selector, () => selector.Modify(999_999, Interest.Read));
        Snapshot.ThrowsAndChangesNothing<NotRegisteredException>(selector, () => selector.Modify(-1, Interest.Read));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Unregistering_an_unregistered_descriptor_throws_NotRegistered(SelectorBackend backend)
    {
        using Selector selector = Watching(backend);

        Snapshot.ThrowsAndChangesNothing<NotRegisteredException>(selector, () => selector.Unregister(_spare.A.Fd));
        Snapshot.ThrowsAndChangesNothing<NotRegisteredException>(selector, () => selector.Unregister(999_999));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Unregistering_twice_throws_NotRegistered_the_second_time(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);
        selector.Register(_spare.A, Interest.Read, trigger: trigger);
        selector.Unregister(_spare.A.Fd);

        Snapshot.ThrowsAndChangesNothing<NotRegisteredException>(selector, () => selector.Unregister(_spare.A.Fd));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Registering_a_negative_descriptor_throws_ArgumentOutOfRange(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);

        Snapshot.ThrowsAndChangesNothing<ArgumentOutOfRangeException>(selector, () => selector.Register(-1, Interest.Read, trigger: trigger));
        Snapshot.ThrowsAndChangesNothing<ArgumentOutOfRangeException>(selector, () => selector.Register(-10, Interest.Read, trigger: trigger));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Registering_a_closed_descriptor_throws_EBADF(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);
        // A number that is certainly not open: past the soft limit, no descriptor can have it.
        int closed = checked((int)Math.Min(Descriptors.GetFdLimit().Soft, int.MaxValue - 1L)) + 1;
        if (backend == SelectorBackend.Select)
        {
            // select refuses numbers >= 1024 before it asks the kernel: find a closed one below that.
            closed = Enumerable.Range(3, 1000).Last(fd => !Descriptors.IsOpen(fd));
        }

        var e = Snapshot.ThrowsAndChangesNothing<SyscallException>(selector, () => selector.Register(closed, Interest.Read, trigger: trigger));
        Assert.Equal(Errno.EBADF, e.Errno);
        Assert.Contains("EBADF", e.Message, StringComparison.Ordinal);
        Assert.False(selector.TryGetKey(closed, out _));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void Registering_a_disposed_handle_throws_ObjectDisposed_and_changes_nothing(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);
        var (a, b) = Descriptors.SocketPair();
        a.Dispose();
        b.Dispose();

        Snapshot.ThrowsAndChangesNothing<ObjectDisposedException>(selector, () => selector.Register(a, Interest.Read, trigger: trigger));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_regular_file_is_refused_by_epoll_with_EPERM_and_always_ready_elsewhere(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);
        string path = Path.GetTempFileName();
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            if (backend == SelectorBackend.Epoll)
            {
                var e = Snapshot.ThrowsAndChangesNothing<SyscallException>(selector, () => selector.Register(file, Interest.Read, trigger: trigger));
                Assert.Equal(Errno.EPERM, e.Errno);
                Assert.False(selector.TryGetKey(Io.Fd(file), out _));
                // The handle's reference taken during Register was given back: disposing it closes it.
                file.Dispose();
                Assert.True(file.IsClosed);
            }
            else
            {
                // poll(2) and select(2) report regular files as always readable and writable.
                selector.Register(file, Interest.Read | Interest.Write, trigger: trigger);
                var expected = new List<(int, Readiness)>
                {
                    (Io.Fd(file), Readiness.Read | Readiness.Write), (_watched.A.Fd, Readiness.Read), (_watched.B.Fd, Readiness.Write),
                };
                expected.Sort();
                Assert.Equal(expected, Ready.Now(selector));
                selector.Unregister(Io.Fd(file));
            }
            AssertStillReports(selector);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void A_descriptor_at_or_above_1024_is_refused_by_select_and_accepted_elsewhere(SelectorBackend backend, Trigger trigger)
    {
        Descriptors.RaiseFdLimitToHard();
        using Selector selector = Watching(backend);
        using FileDescriptor high = Io.DuplicateAtOrAbove(_spare.B.Fd, 1024);
        Assert.True(high.Fd >= 1024);

        if (backend == SelectorBackend.Select)
        {
            var e = Snapshot.ThrowsAndChangesNothing<FdSetSizeExceededException>(selector, () => selector.Register(high, Interest.Write, trigger: trigger));
            Assert.Equal(high.Fd, e.Fd);
            Assert.Contains("poll or epoll", e.Message, StringComparison.Ordinal);
            Snapshot.ThrowsAndChangesNothing<FdSetSizeExceededException>(selector, () => selector.Register(high.Fd, Interest.Write, trigger: trigger));
        }
        else
        {
            selector.Register(high, Interest.Write, trigger: trigger);
            Assert.Contains((high.Fd, Readiness.Write), Ready.Now(selector));
            selector.Unregister(high.Fd);
        }
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void An_empty_interest_throws_ArgumentException_on_Register_and_Modify(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);

        Snapshot.ThrowsAndChangesNothing<ArgumentException>(selector, () => selector.Register(_spare.A, Interest.None, trigger: trigger));
        Snapshot.ThrowsAndChangesNothing<ArgumentException>(selector, () => selector.Modify(_watched.A.Fd, Interest.None));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.AllTriggers), MemberType = typeof(Backends))]
    public void ReadHangup_without_Read_is_refused_by_select_and_accepted_elsewhere(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);

        if (backend == SelectorBackend.Select)
        {
            // select sees EOF only as readability: ReadHangup alone would wake on every byte and report nothing.
            Snapshot.ThrowsAndChangesNothing<NotSupportedException>(selector, () => selector.Register(_spare.A, Interest.ReadHangup, trigger: trigger));
            Snapshot.ThrowsAndChangesNothing<NotSupportedException>(selector, () => selector.Modify(_watched.A.Fd, Interest.ReadHangup | Interest.Write));
        }
        else
        {
            selector.Register(_spare.A, Interest.ReadHangup, trigger: trigger);
            _spare.B.Dispose();
            Assert.Equal(Readiness.ReadHangup, Ready.Until(selector, _spare.A.Fd, TimeSpan.FromSeconds(10)) & Readiness.ReadHangup);
            selector.Unregister(_spare.A.Fd);
        }
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void An_interest_with_unknown_bits_throws_ArgumentException_on_Register_and_Modify(SelectorBackend backend)
    {
        using Selector selector = Watching(backend);

        Snapshot.ThrowsAndChangesNothing<ArgumentException>(selector, () => selector.Register(_spare.A, (Interest)0x100));
        Snapshot.ThrowsAndChangesNothing<ArgumentException>(selector, () => selector.Modify(_watched.A.Fd, Interest.Read | (Interest)0x100));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.UnsupportedTriggers), MemberType = typeof(Backends))]
    public void A_trigger_the_backend_lacks_throws_NotSupported_naming_backend_and_mode(SelectorBackend backend, Trigger trigger)
    {
        using Selector selector = Watching(backend);

        var e = Snapshot.ThrowsAndChangesNothing<NotSupportedException>(selector, () => selector.Register(_spare.A, Interest.Read, trigger: trigger));
        Assert.Contains(backend.ToString(), e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(trigger.ToString(), e.Message, StringComparison.Ordinal);
        Snapshot.ThrowsAndChangesNothing<NotSupportedException>(selector, () => selector.Modify(_watched.A.Fd, Interest.Read, trigger));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void An_undefined_trigger_throws_ArgumentOutOfRange(SelectorBackend backend)
    {
        using Selector selector = Watching(backend);

        Snapshot.ThrowsAndChangesNothing<ArgumentOutOfRangeException>(selector, () => selector.Register(_spare.A, Interest.Read, trigger: (Trigger)42));
        Snapshot.ThrowsAndChangesNothing<ArgumentOutOfRangeException>(selector, () => selector.Modify(_watched.A.Fd, Interest.Read, (Trigger)42));
        AssertStillReports(selector);
    }

    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Waiting_with_an_empty_buffer_or_a_negative_timeout_throws_and_changes_nothing(SelectorBackend backend)
    {
        using Selector selector = Watching(backend);

        Snapshot.ThrowsAndChangesNothing<ArgumentException>(selector, () => selector.Wait(Span<SelectorEvent>.Empty, TimeSpan.Zero));
        Snapshot.ThrowsAndChangesNothing<ArgumentOutOfRangeException>(selector, () => selector.Wait(new SelectorEvent[4], TimeSpan.FromMilliseconds(-5)));
        AssertStillReports(selector);
    }

    /// <summary>A selector watching one end for Read (with a byte pending) and the other for Write.</summary>
    private Selector Watching(SelectorBackend backend)
    {
        Selector selector = Selector.Create(backend);
        Io.Write(_watched.B);
        selector.Register(_watched.A, Interest.Read, "reader");
        selector.Register(_watched.B, Interest.Write, "writer");
        AssertStillReports(selector);
        return selector;
    }

    private void AssertStillReports(Selector selector)
    {
        var expected = new List<(int, Readiness)> { (_watched.A.Fd, Readiness.Read), (_watched.B.Fd, Readiness.Write) };
        expected.Sort();
        Assert.Equal(expected, Ready.Now(selector));
    }
}
