using System.Net.Sockets;
using Xunit.Abstractions;

namespace IoMux.IntegrationTests;

/// <summary>Out of descriptors (EMFILE): pending clients are shed with a clean close, the loop does not spin, and service resumes.</summary>
public sealed class DescriptorExhaustionTests(ITestOutputHelper output)
{
    private const int DescriptorLimit = 128;
    private const int Clients = 150;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    public static TheoryData<string, string> Modes
    {
        get
        {
            var data = new TheoryData<string, string> { { "epoll", "level" }, { "epoll", "edge" }, { "poll", "oneshot" } };
            if (Combos.CompletionAvailable)
            {
                data.Add("uring", "level");
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task At_the_descriptor_limit_new_clients_are_closed_without_a_busy_loop_and_service_resumes(string backend, string trigger)
    {
        using EchoServer server = EchoServer.StartWithDescriptorLimit(DescriptorLimit, "--backend", backend, "--trigger", trigger);
        int baseline = await ResourceTests.WarmUpAsync(server);
        var sockets = new List<Socket>();
        try
        {
            int served = 0, shed = 0;
            await IntegrationTests.Clients.Bounded(async ct =>
            {
                for (int i = 0; i < Clients; i++)
                {
                    Socket socket = await IntegrationTests.Clients.ConnectAsync(server.EndPoint, ct);
                    sockets.Add(socket);
                    if (await EchoesOneByteAsync(socket, ct))
                    {
                        served++;
                    }
                    else
                    {
                        shed++;
                    }
                }
            }, Bound, $"{Clients} clients against a limit of {DescriptorLimit} descriptors");

            TimeSpan cpuBefore = server.CpuTime();
            await Task.Delay(2000);
            TimeSpan cpu = server.CpuTime() - cpuBefore;
            output.WriteLine($"{backend}/{trigger}: limit {DescriptorLimit}, {baseline} fds at rest, {served} served, {shed} shed; {cpu.TotalMilliseconds:0} ms CPU in the next 2 s");
            Assert.True(served > 0 && shed > 0, $"expected some clients served and some shed at the limit, got {served} served and {shed} shed");
            Assert.Equal(Clients, served + shed);
            Assert.True(cpu < TimeSpan.FromSeconds(1), $"the server used {cpu.TotalMilliseconds:0} ms of CPU in 2 s while at its descriptor limit: a busy loop");
            Assert.Contains(server.ErrorLines, l => l.Contains("out of descriptors", StringComparison.Ordinal));
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
        int after = server.WaitForDescriptorCount(baseline, TimeSpan.FromSeconds(20));
        Assert.True(after == baseline, $"the server had {baseline} descriptors before and {after} after the clients left");
        await ResourceTests.AssertStillEchoesAsync(server);
    }

    private static async Task<bool> EchoesOneByteAsync(Socket socket, CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.SendAsync(new byte[] { 9 }, SocketFlags.None, attempt.Token);
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, attempt.Token) == 1;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
