using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>Level, edge and one-shot: how often the same readiness is reported.</summary>
public sealed class TriggerTests
{
    [Theory]
    [MemberData(nameof(Backends.Any), MemberType = typeof(Backends))]
    public void Level_triggered_reports_unread_data_on_every_wait(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read);
        Io.Write(pair.B);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        }
        Io.Drain(pair.A);
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.WithEdge), MemberType = typeof(Backends))]
    public void Edge_triggered_reports_unread_data_once_then_again_only_when_new_data_arrives(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: Trigger.Edge);
        Io.Write(pair.B);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector)); // the byte is still unread, but nothing new happened
        Assert.Empty(Ready.Now(selector));

        Io.Write(pair.B);
        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));
        Assert.Equal(2, Io.Drain(pair.A));
    }

    [Theory]
    [MemberData(nameof(Backends.WithEdge), MemberType = typeof(Backends))]
    public void Edge_triggered_write_interest_reports_a_fresh_socket_writable_once(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Write, trigger: Trigger.Edge);

        Assert.Equal([(pair.A.Fd, Readiness.Write)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.WithOneShot), MemberType = typeof(Backends))]
    public void One_shot_reports_once_until_Modify_with_the_same_interest_rearms_it(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: Trigger.OneShot);
        Io.Write(pair.B);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));
        Io.Write(pair.B); // even new data does not report a disarmed registration
        Assert.Empty(Ready.Now(selector));

        selector.Modify(pair.A.Fd, Interest.Read);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.WithOneShot), MemberType = typeof(Backends))]
    public void One_shot_rearmed_with_a_different_interest_reports_the_new_interest(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: Trigger.OneShot);
        Io.Write(pair.B);
        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));

        selector.Modify(pair.A.Fd, Interest.Write);

        Assert.Equal([(pair.A.Fd, Readiness.Write)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.WithOneShot), MemberType = typeof(Backends))]
    public void Modify_from_one_shot_to_level_reports_on_every_wait_again(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: Trigger.OneShot);
        Io.Write(pair.B);
        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));

        SelectorKey key = selector.Modify(pair.A.Fd, Interest.Read, Trigger.Level);

        Assert.Equal(Trigger.Level, key.Trigger);
        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
    }

    [Theory]
    [MemberData(nameof(Backends.WithOneShot), MemberType = typeof(Backends))]
    public void One_shot_stays_armed_while_nothing_is_ready(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        using var pair = new SocketPairEnds();
        selector.Register(pair.A, Interest.Read, trigger: Trigger.OneShot);
        Assert.Empty(Ready.Now(selector));
        Assert.Empty(Ready.Now(selector));

        Io.Write(pair.B);

        Assert.Equal([(pair.A.Fd, Readiness.Read)], Ready.Now(selector));
    }
}
