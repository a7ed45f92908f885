// The floor for any .NET server: bench/peers/c-epoll/echo.c ported line for line, with nothing of IoMux in between.
// One thread, epoll level-triggered, non-blocking sockets, one native buffer per connection, and the same calls
// in the same order; the only differences are the runtime's: each call is a [LibraryImport] with
// SetLastError = true (errno saved by the runtime, as IoMux's rules require) and a GC transition.
// The loop runs on a thread of its own, as every IoMux loop does: the runtime's thread-local state (where the
// saved errno goes) costs more to reach from a thread the program started than from the process's first thread.
// What IoMux spends above this server is IoMux's; what this server spends above c-epoll is .NET's.
using System.Globalization;
using System.Runtime.InteropServices;

if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
{
    Console.Error.WriteLine("usage: DotnetEpollEcho PORT (1..65535)");
    return 2;
}
int exitCode = 0;
var loop = new Thread(() => exitCode = EpollEcho.Run(port)) { Name = "dotnet-epoll" };
loop.Start();
loop.Join();
return exitCode;

internal static unsafe partial class EpollEcho
{
    private const int BufferSize = 65536;
    private const int MaxEvents = 256;
    private const int EINTR = 4, EAGAIN = 11, ECONNABORTED = 103;
    private const uint EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10;
    private const int EPOLL_CTL_ADD = 1, EPOLL_CTL_MOD = 3;
    private const int AF_INET = 2, SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    private const int SOL_SOCKET = 1, SO_REUSEADDR = 2, IPPROTO_TCP = 6, TCP_NODELAY = 1, MSG_NOSIGNAL = 0x4000;

    private static int s_epfd;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    private struct Connection
    {
        public int Fd;
        public nuint Pending; // bytes in Buffer not yet written back
        public nuint Offset;  // where the unwritten bytes start
        public byte* Buffer;
    }

    public static int Run(int port)
    {
        int listener = Check(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
        int one = 1;
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(int));
        // sockaddr_in: family, port (network order), 127.0.0.1, padding.
        byte* address = stackalloc byte[16];
        new Span<byte>(address, 16).Clear();
        *(ushort*)address = AF_INET;
        address[2] = (byte)(port >> 8);
        address[3] = (byte)port;
        address[4] = 127;
        address[7] = 1;
        Check(bind(listener, address, 16), "bind");
        Check(listen(listener, 4096), "listen");
        s_epfd = Check(epoll_create1(SOCK_CLOEXEC), "epoll_create1");
        var listening = new EpollEvent { Events = EPOLLIN, Data = 0 };
        Check(epoll_ctl(s_epfd, EPOLL_CTL_ADD, listener, &listening), "epoll_ctl");
        Console.Error.WriteLine($"dotnet-epoll echo on 127.0.0.1:{port}");

        EpollEvent* events = (EpollEvent*)NativeMemory.Alloc(MaxEvents, (nuint)sizeof(EpollEvent));
        while (true)
        {
            int n = epoll_wait(s_epfd, events, MaxEvents, -1);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }
                Check(n, "epoll_wait");
            }
            for (int i = 0; i < n; i++)
            {
                var c = (Connection*)events[i].Data;
                if (c == null)
                {
                    OnAcceptable(listener);
                    continue;
                }
                uint ready = events[i].Events;
                if ((ready & (EPOLLERR | EPOLLHUP)) != 0)
                {
                    Drop(c);
                }
                else if ((ready & EPOLLOUT) != 0)
                {
                    OnWritable(c);
                }
                else if ((ready & EPOLLIN) != 0)
                {
                    OnReadable(c);
                }
            }
        }
    }

    private static void Watch(Connection* c, int op, uint events)
    {
        var ev = new EpollEvent { Events = events, Data = (ulong)c };
        Check(epoll_ctl(s_epfd, op, c->Fd, &ev), "epoll_ctl");
    }

    private static void Drop(Connection* c)
    {
        close(c->Fd); // closing removes it from the epoll set
        NativeMemory.Free(c->Buffer);
        NativeMemory.Free(c);
    }

    /// <summary>Writes what is pending; -1 on a fatal error, 0 if all written, 1 if the kernel is full.</summary>
    private static int Flush(Connection* c)
    {
        while (c->Pending > 0)
        {
            nint n = send(c->Fd, c->Buffer + c->Offset, c->Pending, MSG_NOSIGNAL);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }
                return errno == EAGAIN ? 1 : -1;
            }
            c->Offset += (nuint)n;
            c->Pending -= (nuint)n;
        }
        c->Offset = 0;
        return 0;
    }

    private static void OnReadable(Connection* c)
    {
        while (true)
        {
            nint n = recv(c->Fd, c->Buffer, BufferSize, 0);
            if (n == 0)
            {
                Drop(c);
                return;
            }
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }
                if (errno != EAGAIN)
                {
                    Drop(c);
                }
                return;
            }
            c->Pending = (nuint)n;
            c->Offset = 0;
            int r = Flush(c);
            if (r < 0)
            {
                Drop(c);
                return;
            }
            if (r > 0)
            {
                Watch(c, EPOLL_CTL_MOD, EPOLLOUT); // stop reading until drained
                return;
            }
            if (n < BufferSize)
            {
                return; // short read: the socket is empty (level-triggered anyway)
            }
        }
    }

    private static void OnWritable(Connection* c)
    {
        int r = Flush(c);
        if (r < 0)
        {
            Drop(c);
        }
        else if (r == 0)
        {
            Watch(c, EPOLL_CTL_MOD, EPOLLIN);
        }
    }

    private static void OnAcceptable(int listener)
    {
        while (true)
        {
            int fd = accept4(listener, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EINTR or ECONNABORTED)
                {
                    continue;
                }
                return; // EAGAIN, or EMFILE: try again on the next readiness
            }
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(int));
            var c = (Connection*)NativeMemory.Alloc((nuint)sizeof(Connection));
            c->Fd = fd;
            c->Pending = 0;
            c->Offset = 0;
            c->Buffer = (byte*)NativeMemory.Alloc(BufferSize);
            Watch(c, EPOLL_CTL_ADD, EPOLLIN);
        }
    }

    private static int Check(int result, string what)
    {
        if (result < 0)
        {
            Console.Error.WriteLine($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            Environment.Exit(1);
        }
        return result;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, byte* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(int fd, int backlog);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int accept4(int fd, byte* address, int* length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, EpollEvent* events, int max, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
