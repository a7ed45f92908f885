using System.Diagnostics;

namespace IoMux.Cli.Demos.Models;

/// <summary>One model's run: its own counts, the wall time from the producer's first write to the last EOF, and the process CPU time spent.</summary>
internal sealed record ModelRun(DemoModel Model, ModelCounts Counts, TimeSpan Wall, TimeSpan Cpu);

/// <summary>Runs a model against a fresh set of channels fed by the producer.</summary>
internal static class ModelRunner
{
    public static ModelRun Run(DemoModel model, ModelWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        workload.Validate();
        using var channels = new ChannelSet(workload);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        channels.StartProducer();
        ModelCounts counts = model switch
        {
            DemoModel.Threads => ThreadsModel.Read(channels),
            DemoModel.Polling => PollingModel.Read(channels),
            DemoModel.Multiplexing => MultiplexingModel.Read(channels),
            _ => AsyncModel.Read(channels),
        };
        channels.JoinProducer();
        TimeSpan wall = Stopwatch.GetElapsedTime(start);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        if (counts.Bytes != workload.TotalBytes)
        {
            throw new InvalidOperationException($"the {IoModels.Name(model)} model read {counts.Bytes} of {workload.TotalBytes} bytes");
        }
        return new ModelRun(model, counts, wall, cpu);
    }

    /// <summary>The producer alone, nobody reading: the baseline the syscall counts are measured against.</summary>
    public static void RunProducerOnly(ModelWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        workload.Validate();
        using var channels = new ChannelSet(workload);
        channels.StartProducer(nobodyReads: true);
        channels.JoinProducer();
    }
}
