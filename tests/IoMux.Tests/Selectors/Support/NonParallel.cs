namespace IoMux.Tests.Selectors.Support;

/// <summary>
/// Tests that count /proc/self/fd or rely on a just-freed descriptor number staying free run alone:
/// other tests running in parallel open and close descriptors and would race with them. So do tests that listen to
/// IoMux's process-wide instruments: every loop in the process records into their listener, on its own thread.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallel
{
    public const string Name = "descriptor numbers (not parallel)";
}
