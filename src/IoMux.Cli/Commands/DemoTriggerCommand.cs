using System.CommandLine;
using IoMux.Cli.Demos;

namespace IoMux.Cli.Commands;

/// <summary><c>iomux demo trigger</c>: level vs edge vs one-shot on a socketpair, on every backend that has the mode.</summary>
internal static class DemoTriggerCommand
{
    public static Command Create()
    {
        var quiet = new Option<int>("--quiet-ms")
        {
            Description = "How long a wait that should stay silent is given to prove it",
            DefaultValueFactory = _ => (int)TriggerDemo.DefaultQuietWait.TotalMilliseconds,
        };
        var command = new Command("trigger", "Write 10 bytes, read 5, wait again: level reports the rest, edge stays silent until more data, one-shot until re-armed") { quiet };
        command.SetAction(parse =>
        {
            int ms = parse.GetValue(quiet);
            if (ms is < 1 or > 10_000)
            {
                throw new UsageException($"--quiet-ms {ms} is out of range; give 1 to 10000 milliseconds");
            }
            TimeSpan quietWait = TimeSpan.FromMilliseconds(ms);
            Console.WriteLine($"A non-blocking AF_UNIX socketpair; the reader end is registered for Read. A wait that reports returns at once; a silent one times out after {ms} ms.");
            var results = new List<TriggerDemoResult>();
            foreach ((SelectorBackend backend, Trigger trigger) in TriggerDemo.Cases())
            {
                TriggerDemoResult result = TriggerDemo.Run(backend, trigger, quietWait);
                results.Add(result);
                Print(result);
            }
            Console.WriteLine();
            Console.WriteLine($"{"backend",-8} {"trigger",-8} {"after write",-12} {"after read 5",-13} then");
            foreach (TriggerDemoResult r in results)
            {
                Console.WriteLine($"{Name(r.Backend),-8} {Name(r.Trigger),-8} {Name(r.AfterWrite),-12} {Name(r.AfterPartialRead),-13} {r.FollowUp}: {Name(r.AfterFollowUp)}");
            }
            return 0;
        });
        return command;
    }

    private static void Print(TriggerDemoResult result)
    {
        Console.WriteLine();
        Console.WriteLine($"{Name(result.Backend)}, {Name(result.Trigger)} trigger");
        foreach (TriggerStep step in result.Steps)
        {
            string what = step.Outcome switch
            {
                WaitOutcome.Reported => "-> readable",
                WaitOutcome.Silent => "-> silent (timed out)",
                _ => "",
            };
            Console.WriteLine($"  {step.Action,-24} {what,-22} {step.BytesLeft,2} bytes unread");
        }
        Console.WriteLine($"  {Why(result.Trigger)}");
    }

    private static string Why(Trigger trigger) => trigger switch
    {
        Trigger.Level => "level: reported on every wait while data is unread; silent only once drained",
        Trigger.Edge => "edge: reported when data arrives; 5 unread bytes are no new arrival, so silence until more comes",
        _ => "one-shot: reported once, then disarmed whatever is unread, until Modify re-arms it",
    };

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
