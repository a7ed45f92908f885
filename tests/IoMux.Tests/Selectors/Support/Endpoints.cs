using System.Net;
using System.Net.Sockets;
using IoMux.Native;

namespace IoMux.Tests.Selectors.Support;

/// <summary>A connected AF_UNIX stream socketpair, non-blocking, both ends owned by the test.</summary>
internal sealed class SocketPairEnds : IDisposable
{
    public SocketPairEnds()
    {
        (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
        (A, B) = (a, b);
    }

    public FileDescriptor A { get; }

    public FileDescriptor B { get; }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}

/// <summary>A non-blocking pipe: (read end, write end).</summary>
internal sealed class PipeEnds : IDisposable
{
    public PipeEnds()
    {
        (FileDescriptor read, FileDescriptor write) = Descriptors.Pipe();
        (Read, Write) = (read, write);
    }

    public FileDescriptor Read { get; }

    public FileDescriptor Write { get; }

    public void Dispose()
    {
        Read.Dispose();
        Write.Dispose();
    }
}

/// <summary>A real TCP connection over loopback: the client end and the accepted server end.</summary>
public sealed class TcpPair : IDisposable
{
    public TcpPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Client.Connect(listener.LocalEndPoint!);
        Server = listener.Accept();
        Client.Blocking = false;
        Server.Blocking = false;
    }

    public Socket Client { get; }

    public Socket Server { get; }

    /// <summary>Closes the server end with SO_LINGER 0, so the kernel sends RST instead of FIN.</summary>
    public void ResetServer()
    {
        Server.LingerState = new LingerOption(true, 0);
        Server.Close();
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
