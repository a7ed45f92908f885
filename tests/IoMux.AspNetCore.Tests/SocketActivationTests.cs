using System.Net;
using System.Net.Sockets;

namespace IoMux.AspNetCore.Tests;

/// <summary>A listening socket handed over by descriptor (<c>ListenHandle</c>, what systemd socket activation gives Kestrel).</summary>
public sealed class SocketActivationTests
{
    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AHandedListenerIsServedAndClosedWithTheHost(string mode)
    {
#pragma warning disable CA2000 // Never disposed: see below.
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
#pragma warning restore CA2000
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        ulong fd = (ulong)listener.SafeHandle.DangerousGetHandle();
        string handed = SocketOf(fd);
        Assert.StartsWith("socket:[", handed);
        // The descriptor becomes the transport's, as systemd's does. The Socket that made it must never close it too
        // (a second close would hit whatever descriptor took the number next, the test host's own channel say): its
        // handle is marked invalid, and the Socket is neither disposed nor finalized, since its close path would still close the number.
        listener.SafeHandle.SetHandleAsInvalid();
#pragma warning disable CA1816 // The Socket is not this test's to finalize: see above.
        GC.SuppressFinalize(listener);
#pragma warning restore CA1816
        TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/hello", () => "hello"), kestrel => kestrel.ListenHandle(fd), loopbackPort: false);
        await using (app)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            Assert.Equal("hello", await client.GetStringAsync("hello"));
            Assert.StartsWith("iomux loop-", await client.GetStringAsync("transport"));
        }
        // Closed means no descriptor of this process names the handed socket any more. (Not "a connect to the port is
        // refused": once closed, the port is free, and a listener of a test running beside this one, or a connect
        // that picks the port as its own source and meets itself, may take it.)
        Assert.DoesNotContain(handed, OpenDescriptors.Targets());
    }

    /// <summary>What the descriptor names, as /proc shows it: <c>socket:[inode]</c>, unique while the socket lives.</summary>
    private static string SocketOf(ulong fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget!;
}
