using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using IoMux.Pipelines;
using IoMux.Tests.Transport;
using IoMux.Transport;

namespace IoMux.Tests.Pipelines;

/// <summary>The client half on every mode: a connect that returns ready pipes and a ready stream, over TCP and Unix sockets.</summary>
[Collection(Selectors.Support.NonParallel.Name)]
public sealed class PipeClientTests
{
    private static readonly TimeSpan Bound = TransportTestKit.Bound;

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_connected_pipe_sends_4_MiB_to_an_echo_reads_it_back_and_dispose_closes_gracefully(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var group = new EventLoopGroup(1, backend);
        using TcpServer echo = PipeServer.Start(group, new IPEndPoint(IPAddress.Loopback, 0), (connection, closed) => connection.Input.CopyToAsync(connection.Output, closed),
            new TcpServerOptions { Trigger = trigger, IoModel = model, AllowHalfOpen = true });
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, AllowHalfOpen = true });
        group.Start();

        await using PipeConnection client = await PipeClient.ConnectAsync(connector, echo.LocalEndPoint).WaitAsync(Bound);
        byte[] payload = RandomNumberGenerator.GetBytes(4 << 20);
        Task sending = Task.Run(async () =>
        {
            await client.Output.WriteAsync(payload);
            await client.Output.CompleteAsync(); // half-close: the echo sends the rest, then its FIN
        });
        var echoed = new MemoryStream();
        await client.Input.CopyToAsync(echoed).WaitAsync(Bound);
        await sending.WaitAsync(Bound);
        Assert.True(payload.AsSpan().SequenceEqual(echoed.ToArray()), "the echo came back changed");

        await client.DisposeAsync();
        TransportTestKit.WaitFor(() => client.CloseReason is not null, "the client connection never closed");
        Assert.Contains(client.CloseReason, new CloseReason?[] { CloseReason.Local, CloseReason.PeerClosed });
        TransportTestKit.WaitFor(() => echo.Counters.Open == 0, "the server's side never closed");
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_connected_stream_over_a_Unix_socket_talks_to_a_pipe_server(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"iomux-pipes-{Guid.NewGuid():N}.sock");
        using var group = new EventLoopGroup(1, backend);
        using TcpServer server = PipeServer.Start(group, new UnixDomainSocketEndPoint(path), async (connection, closed) =>
        {
            await using DuplexPipeStream stream = connection.AsStream();
            using var reader = new StreamReader(stream, leaveOpen: true);
            await using var writer = new StreamWriter(stream, leaveOpen: true) { AutoFlush = true };
            await writer.WriteLineAsync($"hello, {await reader.ReadLineAsync(closed)}");
        }, new TcpServerOptions { Trigger = trigger, IoModel = model, AllowHalfOpen = true });
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, AllowHalfOpen = true });
        group.Start();

        await using PipeConnection client = await PipeClient.ConnectAsync(connector, new UnixDomainSocketEndPoint(path)).WaitAsync(Bound);
        await using DuplexPipeStream stream = client.AsStream();
        using var reader = new StreamReader(stream, leaveOpen: true);
        await using var writer = new StreamWriter(stream, leaveOpen: true) { AutoFlush = true };
        await writer.WriteLineAsync("unix");
        Assert.Equal("hello, unix", await reader.ReadLineAsync().WaitAsync(Bound));
        Assert.Null(await reader.ReadLineAsync().WaitAsync(Bound)); // the server returned: FIN
    }

    [Fact]
    public async Task A_refused_connect_fails_with_the_connector_s_error()
    {
        using var group = new EventLoopGroup(1);
        using var connector = new Connector(group.Loops[0]);
        group.Start();
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port; // bound, never listening: connects are refused
            ConnectException refused = await Assert.ThrowsAsync<ConnectException>(() => PipeClient.ConnectAsync(connector, new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Bound));
            Assert.Equal(ConnectError.Refused, refused.Error);
        }
    }
}
