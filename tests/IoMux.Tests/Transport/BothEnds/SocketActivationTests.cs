using IoMux.Transport;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// Reading the socket activation variables (<c>LISTEN_PID</c>, <c>LISTEN_FDS</c>, <c>LISTEN_FDNAMES</c>). A child
/// process actually handed a descriptor is in the integration tests (<c>iomux echo</c> under socket activation).
/// </summary>
public sealed class SocketActivationTests
{
    [Fact]
    public void Descriptors_start_at_3_and_take_their_names_in_order()
    {
        IReadOnlyList<(int Fd, string Name)> passed = SocketActivation.Parse("3", "42", "http:admin:", 42);

        Assert.Equal([(3, "http"), (4, "admin"), (5, "unknown")], passed);
    }

    [Fact]
    public void Without_names_each_is_unknown()
    {
        Assert.Equal([(3, "unknown"), (4, "unknown")], SocketActivation.Parse("2", "42", null, 42));
    }

    [Fact]
    public void Nothing_is_passed_without_LISTEN_FDS_or_when_the_sockets_are_for_another_process()
    {
        Assert.Empty(SocketActivation.Parse(null, null, null, 42));
        Assert.Empty(SocketActivation.Parse("", "42", null, 42));
        Assert.Empty(SocketActivation.Parse("1", "41", null, 42));
    }

    [Theory]
    [InlineData("x", "42", null, "LISTEN_FDS='x' is not a count of descriptors")]
    [InlineData("-1", "42", null, "LISTEN_FDS='-1' is not a count of descriptors")]
    [InlineData("1", "me", null, "LISTEN_PID='me' is not a process id")]
    [InlineData("1", null, null, "LISTEN_PID='' is not a process id")]
    [InlineData("2", "42", "only-one", "LISTEN_FDNAMES='only-one' names 1 sockets but LISTEN_FDS=2")]
    public void Malformed_variables_are_refused_quoting_them(string fds, string? pid, string? names, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SocketActivation.Parse(fds, pid, names, 42));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Taking_the_listeners_of_a_process_that_was_handed_none_gives_none()
    {
        // The test host is never socket-activated; anything else is a broken environment worth a failure.
        Assert.Null(Environment.GetEnvironmentVariable("LISTEN_FDS"));
        Assert.Empty(SocketActivation.TakeListeners());
    }
}
