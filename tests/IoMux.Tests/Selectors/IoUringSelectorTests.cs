using System.Net;
using System.Net.Sockets;
using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// What is particular to the io_uring backend (the shared semantics are the conformance suite's): a pending poll
/// holds its file, io_uring always listens for POLLRDHUP and never wakes a poll for POLLPRI alone, completions can outnumber the caller's buffer, and a
/// regular file or a closed descriptor behaves as with poll(2).
/// </summary>
public sealed class IoUringSelectorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(50);

    [IoUringFact]
    public void Unregister_releases_the_file_so_closing_it_reaches_the_peer_at_once()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (b)
        {
            selector.Register(a.Fd, Interest.Read);
            Assert.Empty(Collect(selector, TimeSpan.Zero)); // the poll is now pending in the kernel
            selector.Unregister(a.Fd);
            a.Dispose();
            Assert.Equal(0, Descriptors.ReadOrThrow(b.Fd, new byte[1])); // EOF, not EAGAIN
        }
    }

    [IoUringFact]
    public void A_hang_up_nobody_asked_for_is_not_reported_and_does_not_end_the_wait()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (a)
        using (b)
        {
            FillSendBuffer(a.Fd);
            Libc.Shutdown(b.Fd, Constants.SHUT_WR); // a now has POLLRDHUP (always polled by io_uring) but no room
            selector.Register(a, Interest.Write);
            Assert.Empty(Collect(selector, Brief));
            Assert.Empty(Collect(selector, Brief));

            DrainAvailable(b.Fd); // room again: the write readiness must still be reported
            Assert.Equal([(a.Fd, Readiness.Write)], Collect(selector, Patience));
        }
    }

    [IoUringFact]
    public async Task Urgent_data_is_reported_although_io_uring_wakes_no_poll_for_POLLPRI_alone()
    {
        (Socket client, Socket server) = ConnectedTcpPair();
        using (client)
        using (server)
        {
            using Selector selector = Selector.Create(SelectorBackend.IoUring);
            selector.Register(server, Interest.Priority);
            Assert.Empty(Collect(selector, TimeSpan.Zero)); // the poll is armed before anything arrives

            // Ordinary data wakes the socket with EPOLLIN | EPOLLPRI, but there is no urgent data yet.
            Task send = Task.Run(async () => { await Task.Delay(Brief); client.Send([1, 2]); });
            Assert.Empty(Collect(selector, Brief * 4));
            await send;

            send = Task.Run(async () => { await Task.Delay(Brief); client.Send([9], SocketFlags.OutOfBand); });
            Assert.Equal([((int)server.Handle, Readiness.Priority)], Collect(selector, Patience));
            await send;
        }
    }

    [IoUringFact]
    public void More_ready_descriptors_than_buffer_slots_are_all_reported_over_successive_waits()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        var pairs = Enumerable.Range(0, 5).Select(_ => Descriptors.SocketPair()).ToArray();
        try
        {
            foreach ((FileDescriptor a, FileDescriptor b) in pairs)
            {
                selector.Register(a, Interest.Read, trigger: Trigger.OneShot);
                Descriptors.WriteOrThrow(b.Fd, [7]);
            }
            var seen = new HashSet<int>();
            var buffer = new SelectorEvent[2];
            for (int i = 0; i < 10 && seen.Count < pairs.Length; i++)
            {
                foreach (SelectorEvent e in selector.Wait(buffer, Patience))
                {
                    Assert.True(seen.Add(e.Fd), $"fd {e.Fd} reported twice while one-shot");
                }
            }
            Assert.Equal(pairs.Select(p => p.Item1.Fd).Order(), seen.Order());
        }
        finally
        {
            foreach ((FileDescriptor a, FileDescriptor b) in pairs)
            {
                a.Dispose();
                b.Dispose();
            }
        }
    }

    [IoUringFact]
    public void More_registrations_than_the_submission_ring_holds_are_all_armed()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        var pairs = Enumerable.Range(0, 300).Select(_ => Descriptors.Pipe()).ToArray(); // the ring holds 256 entries
        try
        {
            foreach ((FileDescriptor read, FileDescriptor write) in pairs)
            {
                selector.Register(read, Interest.Read, trigger: Trigger.Edge);
            }
            Assert.Empty(Collect(selector, TimeSpan.Zero));
            foreach ((FileDescriptor _, FileDescriptor write) in pairs)
            {
                Descriptors.WriteOrThrow(write.Fd, [1]);
            }
            var seen = new HashSet<int>();
            var buffer = new SelectorEvent[64];
            for (int i = 0; i < 50 && seen.Count < pairs.Length; i++)
            {
                foreach (SelectorEvent e in selector.Wait(buffer, Patience))
                {
                    seen.Add(e.Fd);
                }
            }
            Assert.Equal(pairs.Length, seen.Count);
        }
        finally
        {
            foreach ((FileDescriptor read, FileDescriptor write) in pairs)
            {
                read.Dispose();
                write.Dispose();
            }
        }
    }

    [IoUringFact]
    public void A_regular_file_is_always_ready_as_with_poll()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        string path = Path.GetTempFileName();
        try
        {
            using FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
            int fd = (int)file.SafeFileHandle.DangerousGetHandle();
            selector.Register(file.SafeFileHandle, Interest.Read | Interest.Write);
            Assert.Equal([(fd, Readiness.Read | Readiness.Write)], Collect(selector, Patience));
            Assert.Equal([(fd, Readiness.Read | Readiness.Write)], Collect(selector, Patience));
            selector.Unregister(fd);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [IoUringFact]
    public void A_level_registration_whose_descriptor_was_closed_reports_invalid_as_with_poll()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (b)
        {
            selector.Register(a.Fd, Interest.Write);
            Assert.Equal([(a.Fd, Readiness.Write)], Collect(selector, Patience));
            int fd = a.Fd;
            a.Dispose(); // the next wait re-arms the poll on a descriptor that is no longer open
            Assert.Equal([(fd, Readiness.Invalid)], Collect(selector, Patience));
            selector.Unregister(fd);
        }
    }

    [IoUringFact]
    public void A_steady_wait_allocates_nothing()
    {
        using Selector selector = Selector.Create(SelectorBackend.IoUring);
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        using (a)
        using (b)
        {
            selector.Register(a, Interest.Write); // level: re-armed after every wait
            selector.Register(b, Interest.Read, trigger: Trigger.Edge); // multishot
            var buffer = new SelectorEvent[4];
            byte[] one = [1];
            byte[] sink = new byte[16];
            int Spin(int rounds)
            {
                int reads = 0;
                for (int i = 0; i < rounds; i++)
                {
                    Descriptors.WriteOrThrow(a.Fd, one);
                    foreach (SelectorEvent e in selector.Wait(buffer, Patience))
                    {
                        if (e.Fd == b.Fd)
                        {
                            reads++;
                            Descriptors.ReadOrThrow(b.Fd, sink);
                        }
                    }
                }
                return reads;
            }
            Spin(100);
            int reads = 0;
            long allocated = Allocations.InACleanRound(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                reads = Spin(1000);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            });
            Assert.True(reads > 0, "the edge-triggered reader was never reported");
            Assert.Equal(0, allocated);
        }
    }

    private static List<(int, Readiness)> Collect(Selector selector, TimeSpan timeout)
    {
        var seen = new List<(int, Readiness)>();
        foreach (SelectorEvent e in selector.Wait(new SelectorEvent[8], timeout))
        {
            seen.Add((e.Fd, e.Readiness));
        }
        return seen;
    }

    private static (Socket Client, Socket Server) ConnectedTcpPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return (client, listener.Accept());
    }

    private static void FillSendBuffer(int fd)
    {
        var chunk = new byte[65536];
        while (Descriptors.WriteOrThrow(fd, chunk) > 0)
        {
        }
    }

    private static void DrainAvailable(int fd)
    {
        var chunk = new byte[65536];
        while (Descriptors.ReadOrThrow(fd, chunk) > 0)
        {
        }
    }
}
