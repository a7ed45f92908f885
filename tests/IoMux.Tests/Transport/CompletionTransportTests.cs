using System.Net;
using IoMux.Transport;

namespace IoMux.Tests.Transport;

/// <summary>
/// What only the completion model has: where it may run. Its behaviour is tested with the readiness model's, on
/// every transport mode, in <see cref="TcpServerTests"/> and <see cref="ConnectionCoreTests"/>.
/// </summary>
public sealed class CompletionTransportTests
{
    [Fact]
    public void The_completion_model_needs_io_uring_loops_and_level_triggering()
    {
        using (var group = new EventLoopGroup(1, SelectorBackend.Epoll))
        {
            var e = Assert.Throws<NotSupportedException>(() => TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Idle(), new TcpServerOptions { IoModel = IoModel.Completion }));
            Assert.Contains("needs the io_uring backend", e.Message, StringComparison.Ordinal);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            using var group = new EventLoopGroup(1, SelectorBackend.Epoll);
            TcpServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), _ => new Idle(), new TcpServerOptions { IoModel = IoModel.Completion, Trigger = Trigger.Edge });
        });
        Assert.False(EventLoop.IsAvailable(IoModel.Completion, SelectorBackend.Poll, out string? reason));
        Assert.Equal("the completion model needs the io_uring backend; poll offers readiness only", reason);
    }

    private sealed class Idle : IConnectionHandler
    {
        public void OnConnected(Connection connection)
        {
        }

        public void OnData(Connection connection, ReadOnlySpan<byte> data)
        {
        }

        public void OnWritable(Connection connection)
        {
        }

        public void OnClosed(Connection connection, CloseReason reason)
        {
        }
    }
}
