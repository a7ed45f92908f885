using System.Net;
using System.Net.Sockets;

namespace IoMux.AspNetCore.Tests;

/// <summary>Stopping the host: the listener unbinds at once, requests in flight finish and their responses arrive whole.</summary>
public sealed class ShutdownTests
{
    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task RequestsInFlightFinishWhileTheServerStops(string mode)
    {
        const int InFlight = 4;
        int entered = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        byte[] body = new byte[256 * 1024];
        TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/slow", async (HttpContext context) =>
        {
            if (Interlocked.Increment(ref entered) == InFlight)
            {
                allIn.SetResult();
            }
            await release.Task;
            await context.Response.Body.WriteAsync(body);
        }));
        await using (app)
        {
            using HttpClient client = app.Client(maxConnections: InFlight);
            Task<byte[]>[] requests = [.. Enumerable.Range(0, InFlight).Select(_ => client.GetByteArrayAsync("slow"))];
            await allIn.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Task stopping = app.App.StopAsync();
            try
            {
                await RefusedAsync(app.Address); // unbound while the requests still run
                Assert.False(stopping.IsCompleted, "the host stopped with requests in flight");
            }
            finally
            {
                release.SetResult(); // on a failure too: held requests would keep the host's stop waiting out its 30 s
            }
            foreach (byte[] response in await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60)))
            {
                Assert.Equal(body.Length, response.Length);
            }
            await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Waits until a connect to the app's port is refused: its listeners are closed.</summary>
    private static async Task RefusedAsync(Uri address)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, address.Port);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // The handshake landed in a listener's backlog just before it closed, and the close reset it: the
                // unbind is under way, and a later connect finds the port closed.
            }
            Assert.True(DateTime.UtcNow < deadline, "the port still accepted connections 60 s into the stop");
            await Task.Yield();
        }
    }
}
