using IoMux.Cli.Demos.Models;

namespace IoMux.Cli.Tests.Demos;

public sealed class ModelsTests
{
    private static readonly ModelWorkload Small = new(4, 20, 64, TimeSpan.FromMilliseconds(1));

    // A model that blocks forever (a read that never returns, a producer stuck on a full channel) fails here
    // instead of hanging the run; a healthy small run takes milliseconds.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Models => new(IoModels.All.Select(IoModels.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_model_reads_every_byte_and_sees_every_EOF(string name)
    {
        Assert.True(IoModels.TryParse(name, out DemoModel model));
        ModelRun run = Within(() => ModelRunner.Run(model, Small));
        Assert.Equal(Small.TotalBytes, run.Counts.Bytes);
        Assert.InRange(run.Counts.Reads, Small.Channels + 1, Small.Channels * (Small.Messages + 1));
    }

    [Fact]
    public void Only_the_polling_loop_reads_channels_that_have_nothing()
    {
        Assert.Equal(0, Within(() => ModelRunner.Run(DemoModel.Threads, Small)).Counts.EmptyReads);
        Assert.Equal(0, Within(() => ModelRunner.Run(DemoModel.Multiplexing, Small)).Counts.EmptyReads);
        // 20 pauses of 1 ms with nothing to read: a loop that never sleeps must find empty channels.
        Assert.True(Within(() => ModelRunner.Run(DemoModel.Polling, Small)).Counts.EmptyReads > 0);
    }

    [Fact]
    public void The_multiplexer_reads_on_one_thread_after_waiting()
    {
        ModelCounts counts = Within(() => ModelRunner.Run(DemoModel.Multiplexing, Small)).Counts;
        Assert.Equal(1, counts.Threads);
        Assert.True(counts.Waits >= 1);
    }

    [Fact]
    public void The_producer_alone_never_blocks_on_channels_nobody_reads()
    {
        // 4 channels × 2000 messages of 64 bytes would fill the socket buffers of a blocking producer, which
        // would then wait forever for a reader: finishing at all is the proof. A producer error is rethrown.
        Within(() => ModelRunner.RunProducerOnly(new ModelWorkload(4, 2000, 64, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(600, 10)]
    [InlineData(4, 0)]
    public void A_workload_out_of_range_is_refused_naming_the_option(int channels, int messages)
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelWorkload(channels, messages, 64, TimeSpan.Zero).Validate());
        Assert.Contains(channels is < 1 or > 512 ? "--channels" : "--messages", e.Message, StringComparison.Ordinal);
    }

    private static T Within<T>(Func<T> run)
    {
        var task = Task.Run(run);
        Assert.True(task.Wait(Deadline), $"the run was still going after {Deadline.TotalSeconds:0} s: it is blocked");
        return task.Result;
    }

    private static void Within(Action run) => Within(() =>
    {
        run();
        return true;
    });
}
