using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace IoMux.AspNetCore.Tests;

/// <summary>Bind failures reach Kestrel in the shapes its address binding reacts to, as from the Sockets transport.</summary>
public sealed class BindTests
{
    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AnAddressInUseIsReportedAsKestrelReportsIt(string mode)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        int port = ((IPEndPoint)occupant.LocalEndPoint!).Port;
        IOException failure = await Assert.ThrowsAsync<IOException>(() => TestApp.StartAsync(mode, _ => { },
            kestrel => kestrel.Listen(IPAddress.Loopback, port), loopbackPort: false));
        Assert.IsType<AddressInUseException>(failure.InnerException);
    }

    /// <summary>
    /// Kestrel falls back from IPv6 to IPv4 (<c>http://*:port</c>, <c>localhost</c>) on any bind failure that is not an
    /// <see cref="IOException"/>, as the Sockets transport's <see cref="SocketException"/> is not: an address the
    /// machine does not have (IPv6 turned off, say) must fail the same way, or such a machine could not start.
    /// </summary>
    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AnAddressThisMachineLacksFailsWithoutAnIOException(string mode)
    {
        IPAddress absent = IPAddress.Parse("2001:db8::1"); // the documentation prefix: on no interface
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(mode, _ => { },
            kestrel => kestrel.Listen(absent, 0), loopbackPort: false));
        Assert.False(failure is IOException, $"the bind failed with an IOException, which Kestrel does not fall back from: {failure}");
        Assert.Contains("2001:db8::1", failure.Message);
    }
}
