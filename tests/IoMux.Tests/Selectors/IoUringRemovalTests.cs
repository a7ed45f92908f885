using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// Unregistering on io_uring must really end the kernel's poll: a poll left behind holds its file open, so a
/// socket closed after Unregister never sends its EOF to the peer.
/// </summary>
public sealed class IoUringRemovalTests
{
    /// <summary>
    /// The removal lands while a wake-up of the poll is still to be processed (the peer wrote after the last wait,
    /// and io_uring defers that work to the ring's next enter). A POLL_REMOVE then finds the poll busy, fails, and
    /// a multishot (edge) poll lives on; a cancel takes effect once the wake-up is processed.
    /// </summary>
    [IoUringFact]
    public void A_socket_unregistered_with_a_wake_up_pending_and_closed_reaches_its_peer()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        var events = new SelectorEvent[8];
        byte[] buffer = new byte[1];
        for (int round = 0; round < 50; round++)
        {
            (FileDescriptor watched, FileDescriptor peer) = Descriptors.SocketPair();
            using (peer)
            {
                selector.Register(watched, Interest.Read, trigger: Trigger.Edge);
                selector.Wait(events, TimeSpan.Zero); // submits the poll
                // The peer writes from another thread while this one spins without a system call: the wake-up's work
                // is queued for this thread's next kernel exit, which comes only after the removal was submitted.
                int written = 0;
                var writer = new Thread(() =>
                {
                    Descriptors.Write(peer.Fd, [1], out _);
                    Volatile.Write(ref written, 1);
                });
                writer.Start();
                while (Volatile.Read(ref written) == 0)
                {
                    Thread.SpinWait(1);
                }
                selector.Unregister(watched.Fd);
                writer.Join();
                watched.Dispose();

                var clock = System.Diagnostics.Stopwatch.StartNew();
                int n;
                Errno errno;
                while ((n = Descriptors.Read(peer.Fd, buffer, out errno)) < 0 && errno == Errno.EAGAIN)
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"round {round}: the peer never saw the close: a poll still holds the closed socket");
                    selector.Wait(events, TimeSpan.FromMilliseconds(1));
                }
                // Closed with our byte unread, a Unix socket tells its peer ECONNRESET rather than EOF: either is the close.
                Assert.True(n == 0 || errno == Errno.ECONNRESET, $"round {round}: read returned {n} ({errno})");
            }
        }
    }
}
