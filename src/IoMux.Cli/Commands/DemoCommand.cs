using System.CommandLine;

namespace IoMux.Cli.Commands;

/// <summary><c>iomux demo</c>: the tutorial's ideas, each something to run and watch.</summary>
internal static class DemoCommand
{
    public static Command Create() => new("demo", "Run the tutorial's ideas on real descriptors: trigger modes, blocking vs non-blocking, I/O models")
    {
        DemoTriggerCommand.Create(),
        DemoBlockingCommand.Create(),
        DemoModelsCommand.Create(),
    };
}
