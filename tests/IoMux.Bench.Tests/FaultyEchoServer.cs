using System.Net;
using System.Net.Sockets;

namespace IoMux.Bench.Tests;

/// <summary>What an echo server gets wrong, once per connection, at a byte position of its stream.</summary>
public enum Fault
{
    None,
    FlipByte,
    CloseEarly,
    ExtraByte,
    SwallowMessage,
    /// <summary>Stops echoing (keeps reading and the connection open).</summary>
    Stall,
}

/// <summary>
/// A real TCP echo server on 127.0.0.1 (an ephemeral port), a blocking thread per connection, that
/// commits <see cref="Fault"/> when its stream reaches <c>at</c> bytes. With <see cref="Fault.None"/> it echoes faithfully.
/// </summary>
public sealed class FaultyEchoServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Fault _fault;
    private readonly long _at;
    private readonly int _messageSize;
    private readonly List<Socket> _accepted = [];
    private readonly Thread _acceptor;

    public FaultyEchoServer(Fault fault, long at = 0, int messageSize = 64)
    {
        _fault = fault;
        _at = at;
        _messageSize = messageSize;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _acceptor = new Thread(AcceptLoop) { IsBackground = true };
        _acceptor.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted)
        {
            foreach (Socket s in _accepted)
            {
                s.Dispose();
            }
        }
        _acceptor.Join();
    }

    private void AcceptLoop()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // disposed
            }
            lock (_accepted)
            {
                _accepted.Add(connection);
            }
            new Thread(() => Echo(connection)) { IsBackground = true }.Start();
        }
    }

    private void Echo(Socket connection)
    {
        byte[] buffer = new byte[8192];
        long position = 0;
        bool done = _fault == Fault.None;
        try
        {
            while (true)
            {
                int n = connection.Receive(buffer);
                if (n == 0)
                {
                    return;
                }
                int cut = (int)Math.Clamp(_at - position, 0, n);
                if (!done && position + n > _at)
                {
                    done = true;
                    switch (_fault)
                    {
                        case Fault.FlipByte:
                            buffer[cut] ^= 0x5A;
                            break;
                        case Fault.CloseEarly:
                            connection.Send(buffer.AsSpan(0, cut));
                            connection.Shutdown(SocketShutdown.Both);
                            return;
                        case Fault.ExtraByte:
                            connection.Send(buffer.AsSpan(0, cut));
                            connection.Send([0x42]);
                            connection.Send(buffer.AsSpan(cut, n - cut));
                            position += n;
                            continue;
                        case Fault.Stall:
                            connection.Send(buffer.AsSpan(0, cut));
                            while (connection.Receive(buffer) > 0)
                            {
                            }
                            return;
                        case Fault.SwallowMessage:
                            int swallowed = Math.Min(_messageSize, n - cut); // the rest of a message split across reads still gets through
                            connection.Send(buffer.AsSpan(0, cut));
                            connection.Send(buffer.AsSpan(cut + swallowed, n - cut - swallowed));
                            position += n;
                            continue;
                    }
                }
                connection.Send(buffer.AsSpan(0, n));
                position += n;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the client went away or the server is being disposed
        }
    }
}
