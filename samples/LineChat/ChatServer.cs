using System.Net;
using IoMux;
using IoMux.Transport;

namespace LineChat;

/// <summary>The chat room served on one loop: the callback API from listening to closing.</summary>
internal sealed class ChatServer : IDisposable
{
    private readonly EventLoopGroup _group;
    private readonly TcpServer _server;

    private ChatServer(EventLoopGroup group, TcpServer server, ChatRoom room)
    {
        _group = group;
        _server = server;
        Room = room;
    }

    public ChatRoom Room { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_server.LocalEndPoint; // a TCP listener: always an IP endpoint

    public EventLoop Loop => _group.Loops[0];

    /// <summary>Listens on <paramref name="endPoint"/>; a member's queue past <paramref name="memberQueueLimit"/> bytes gets no more lines until it drains.</summary>
    public static ChatServer Start(IPEndPoint endPoint, int memberQueueLimit = 64 * 1024)
    {
        var group = new EventLoopGroup(1);
        var room = new ChatRoom(memberQueueLimit);
        try
        {
            TcpServer server = TcpServer.Start(group, endPoint, connection => new ChatMember(room, connection), new TcpServerOptions
            {
                // Reading a member stops while its own queue is past this; lines to it are dropped from the same point.
                WriteHighWatermark = memberQueueLimit,
                IdleTimeout = TimeSpan.FromMinutes(10),
            });
            group.Start();
            return new ChatServer(group, server, room);
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _server.StopAsync(TimeSpan.FromSeconds(1)).Wait(TimeSpan.FromSeconds(3));
        _server.Dispose();
        _group.Dispose();
    }
}
