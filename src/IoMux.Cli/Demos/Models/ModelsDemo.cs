namespace IoMux.Cli.Demos.Models;

/// <summary>A model's system calls beyond the baseline (runtime start-up and the producer): the total and the largest contributors.</summary>
internal sealed record SyscallDelta(long Total, IReadOnlyList<KeyValuePair<string, long>> Top);

/// <summary>One line of the models table: the in-process run, and its system calls when strace could count them.</summary>
internal sealed record ModelReport(ModelRun Run, SyscallDelta? Syscalls);

/// <summary>
/// The same task (read every channel to EOF) four ways. Wall and CPU time come from runs in this process (the median of three);
/// system calls from re-running each model in a child process under <c>strace -f -c</c>, minus a child that
/// only starts up and runs the producer, so what remains is what the model itself asked of the kernel.
/// </summary>
internal static class ModelsDemo
{
    public const string BaselineChild = "none";

    /// <summary>Timed runs per model; the one with the median wall time is reported.</summary>
    public const int Rounds = 3;

    /// <param name="workload">The task every model performs.</param>
    /// <param name="childCommand">The command line that runs one model (or <see cref="BaselineChild"/>) in a child.</param>
    /// <param name="strace">strace's path, or null to skip counting.</param>
    /// <param name="straceNote">Why system calls were not counted, when they were not.</param>
    public static IReadOnlyList<ModelReport> Run(ModelWorkload workload, string? strace, Func<string, IReadOnlyList<string>> childCommand, out string? straceNote)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(childCommand);
        workload.Validate();
        var warmUp = workload with { Messages = Math.Min(workload.Messages, 5), Pause = TimeSpan.Zero };
        foreach (DemoModel model in IoModels.All)
        {
            ModelRunner.Run(model, warmUp); // JIT and thread-pool start-up, so the first model is not charged for them
        }
        // Rounds interleave the models so a burst of load elsewhere on the machine does not land on one model only.
        var samples = new List<ModelRun>();
        for (int round = 0; round < Rounds; round++)
        {
            samples.AddRange(IoModels.All.Select(m => ModelRunner.Run(m, workload)));
        }
        var runs = IoModels.All.Select(m => Median(samples.Where(s => s.Model == m))).ToList();

        straceNote = strace is null ? "strace is not installed (apt-get install strace): system calls not counted" : null;
        var syscalls = new Dictionary<DemoModel, SyscallDelta>();
        if (strace is not null)
        {
            try
            {
                StraceSummary baseline = SyscallCounter.Count(strace, childCommand(BaselineChild));
                foreach (DemoModel model in IoModels.All)
                {
                    syscalls[model] = Delta(SyscallCounter.Count(strace, childCommand(IoModels.Name(model))), baseline);
                }
            }
            catch (InvalidOperationException e)
            {
                straceNote = $"{e.Message}: system calls not counted";
                syscalls.Clear();
            }
        }
        return [.. runs.Select(r => new ModelReport(r, syscalls.GetValueOrDefault(r.Model)))];
    }

    private static ModelRun Median(IEnumerable<ModelRun> runs)
    {
        ModelRun[] sorted = [.. runs.OrderBy(r => r.Wall)];
        return sorted[sorted.Length / 2];
    }

    public static SyscallDelta Delta(StraceSummary model, StraceSummary baseline)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(baseline);
        KeyValuePair<string, long>[] top = [.. model.Calls
            .Select(kv => KeyValuePair.Create(kv.Key, kv.Value - baseline.CallsOf(kv.Key)))
            .Where(kv => kv.Value > 0)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(4)];
        return new SyscallDelta(model.Total - baseline.Total, top);
    }
}
