using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IoMux.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>Peers for connect tests: a handler that records what happens to a connect and its connection, addresses that refuse or never answer.</summary>
internal static class ConnectTestKit
{
    /// <summary>A loopback port with a socket bound to it but not listening: a SYN there is answered with a reset (refused).</summary>
    public static Socket BoundNotListening()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>A Unix socket path in a fresh directory of its own (removed with the directory by the caller's <see cref="TempDirectory"/>).</summary>
    public static string UnixPath(TempDirectory directory, string name = "s.sock") => Path.Combine(directory.Path, name);

    /// <summary>An abstract Unix name no other test uses: the leading NUL is how .NET writes one.</summary>
    public static UnixDomainSocketEndPoint AbstractName() => new($"\0iomux-test-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>A blocking Unix stream client connected to <paramref name="endPoint"/>.</summary>
    public static Socket ConnectUnix(EndPoint endPoint)
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 10_000 };
        client.Connect(endPoint);
        return client;
    }

    /// <summary>Whether <paramref name="task"/> finishes (either way) within <paramref name="within"/>, without touching its outcome.</summary>
    public static bool Finishes(Task task, TimeSpan within) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(within);

    /// <summary>Sends <paramref name="message"/> and reads back as many bytes: an echo round trip.</summary>
    public static byte[] RoundTrip(Socket client, byte[] message)
    {
        client.Send(message);
        return ReceiveExactly(client, message.Length);
    }
}

/// <summary>
/// A loopback listener whose accept queue is full and never drained: listen(1), never accept, and connect clients
/// until one gets no answer. From then on the kernel drops every new SYN, so a connect there times out — without
/// any address outside the loopback range.
/// </summary>
internal sealed class FullBacklogListener : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _fillers = [];

    public FullBacklogListener()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        for (int i = 0; i < 64; i++)
        {
            // Non-blocking connect and a poll: the kernel's answer is awaited by the kernel, not by the thread pool,
            // which other tests may keep busy.
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            _fillers.Add(filler);
            try
            {
                filler.Connect(EndPoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
            }
            if (!filler.Poll(TimeSpan.FromMilliseconds(500), SelectMode.SelectWrite))
            {
                return; // this SYN was dropped: the queue is full
            }
        }
        throw new InvalidOperationException($"64 connects to a listen(1) socket at {EndPoint} all completed; the kernel never dropped a SYN");
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        foreach (Socket filler in _fillers)
        {
            filler.Dispose();
        }
        _listener.Dispose();
    }
}

/// <summary>A directory of its own under the temp path, removed with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"iomux-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Records a connect's outcome and its connection's events; echoes nothing, keeps what arrives.</summary>
internal sealed class ConnectRecorder : IConnectHandler
{
    private readonly List<byte> _received = [];

    public ManualResetEventSlim Connected { get; } = new();

    public ManualResetEventSlim Failed { get; } = new();

    public ManualResetEventSlim ClosedEvent { get; } = new();

    public ConcurrentQueue<string> Events { get; } = new();

    public ConnectException? Failure { get; private set; }

    public Connection? Connection { get; private set; }

    public CloseReason? Reason { get; private set; }

    public bool OnLoopThread { get; private set; } = true;

    public int ConnectedCalls;

    /// <summary>Set by a test around its own <see cref="Connector.Connect"/> call, to catch an outcome reported from inside it.</summary>
    public bool InsideConnect { get; set; }

    public bool CalledInsideConnect { get; private set; }

    /// <summary>Bytes written in <see cref="OnConnected"/>, if any.</summary>
    public byte[]? Greeting { get; init; }

    public byte[] Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public void OnConnected(Connection connection)
    {
        OnLoopThread &= connection.Loop.IsLoopThread;
        CalledInsideConnect |= InsideConnect;
        Interlocked.Increment(ref ConnectedCalls);
        Connection = connection;
        Events.Enqueue("connected");
        if (Greeting is not null)
        {
            connection.Write(Greeting);
        }
        Connected.Set();
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data)
    {
        lock (_received)
        {
            _received.AddRange(data);
        }
    }

    public void OnWritable(Connection connection)
    {
    }

    public void OnClosed(Connection connection, CloseReason reason)
    {
        Reason = reason;
        Events.Enqueue("closed");
        ClosedEvent.Set();
    }

    public void OnConnectFailed(ConnectException exception)
    {
        Failure = exception;
        CalledInsideConnect |= InsideConnect;
        Events.Enqueue("failed");
        Failed.Set();
    }

    /// <summary>Waits until at least <paramref name="count"/> bytes arrived.</summary>
    public byte[] WaitForBytes(int count)
    {
        WaitFor(() => Received.Length >= count || ClosedEvent.IsSet, $"only {Received.Length} of {count} bytes arrived");
        return Received;
    }
}

/// <summary>An echo server's handler: every byte back.</summary>
internal sealed class EchoBack : IConnectionHandler
{
    public void OnConnected(Connection connection)
    {
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

    public void OnWritable(Connection connection)
    {
    }

    public void OnClosed(Connection connection, CloseReason reason)
    {
    }
}
