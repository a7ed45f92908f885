using System.Net;
using System.Net.Sockets;

namespace IoMux.Bench.Tests;

/// <summary>
/// A UDP echo server on loopback that misbehaves on purpose, every <c>every</c>th datagram: drops it, corrupts a
/// byte, sends it twice, or holds it back and sends it after the next. What the load generator must tell apart.
/// </summary>
internal sealed class FaultyUdpEchoServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
    private readonly Thread _thread;
    private readonly UdpFault _fault;
    private readonly int _every;
    private volatile bool _stopping;

    public FaultyUdpEchoServer(UdpFault fault, int every)
    {
        _fault = fault;
        _every = every;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 100;
        _thread = new Thread(Serve) { IsBackground = true, Name = "faulty-udp-echo" };
        _thread.Start();
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }

    private void Serve()
    {
        byte[] buffer = new byte[65_536];
        byte[]? held = null;
        EndPoint heldFor = new IPEndPoint(IPAddress.Any, 0);
        long count = 0;
        while (!_stopping)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }
            bool faulty = ++count % _every == 0;
            bool justHeld = false;
            ArraySegment<byte> datagram = new(buffer, 0, n);
            switch (faulty ? _fault : UdpFault.None)
            {
                case UdpFault.Drop:
                    break;
                case UdpFault.Corrupt:
                    buffer[n - 1] ^= 0x5A;
                    _socket.SendTo(datagram, from);
                    break;
                case UdpFault.Duplicate:
                    _socket.SendTo(datagram, from);
                    _socket.SendTo(datagram, from);
                    break;
                case UdpFault.Reorder when held is null:
                    held = datagram.ToArray();
                    heldFor = from;
                    justHeld = true;
                    break;
                default:
                    _socket.SendTo(datagram, from);
                    break;
            }
            // The held datagram goes right after the next one, which thereby overtakes it.
            if (held is not null && !justHeld)
            {
                _socket.SendTo(held, heldFor);
                held = null;
            }
        }
    }
}

internal enum UdpFault
{
    None,
    Drop,
    Corrupt,
    Duplicate,
    Reorder,
}
