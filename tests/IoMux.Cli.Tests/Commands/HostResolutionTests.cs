using System.Net;
using System.Net.Sockets;
using IoMux.Cli.Commands;

namespace IoMux.Cli.Tests.Commands;

/// <summary>
/// How <c>--host</c> becomes an address: literals never reach the resolver, IPv4 is preferred, and a name that does not
/// resolve is a usage error naming the host and the fix. The resolver is replaced, so no made-up name is looked up.
/// </summary>
public sealed class HostResolutionTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void A_literal_address_is_used_as_given_without_a_lookup(string host)
    {
        IPAddress address = EchoCommand.Resolve(host, name => throw new InvalidOperationException($"looked up {name}"));
        Assert.Equal(IPAddress.Parse(host), address);
    }

    [Fact]
    public void A_name_prefers_its_IPv4_address()
    {
        IPAddress address = EchoCommand.Resolve("echo.test", _ => [IPAddress.IPv6Loopback, IPAddress.Parse("127.0.0.2")]);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), address);
    }

    [Fact]
    public void A_name_with_only_an_IPv6_address_gets_it()
    {
        Assert.Equal(IPAddress.IPv6Loopback, EchoCommand.Resolve("echo.test", _ => [IPAddress.IPv6Loopback]));
    }

    [Fact]
    public void A_name_that_does_not_resolve_is_a_usage_error_naming_it_and_the_fix()
    {
        UsageException e = Assert.Throws<UsageException>(() =>
            EchoCommand.Resolve("no-such-host.test", _ => throw new SocketException((int)SocketError.HostNotFound)));
        Assert.StartsWith("host 'no-such-host.test' does not resolve (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("use an IP address or a name this machine can resolve", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_name_with_no_IP_address_is_a_usage_error()
    {
        UsageException e = Assert.Throws<UsageException>(() => EchoCommand.Resolve("echo.test", _ => []));
        Assert.Equal("host 'echo.test' has no IPv4 or IPv6 address; use an IP address", e.Message);
    }
}
