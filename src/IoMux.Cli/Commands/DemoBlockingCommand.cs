using System.CommandLine;
using IoMux.Cli.Demos;
using IoMux.Cli.Scaling;
using IoMux.Native;

namespace IoMux.Cli.Commands;

/// <summary><c>iomux demo blocking</c>: one descriptor, read in blocking mode, flipped to non-blocking with fcntl, read again.</summary>
internal static class DemoBlockingCommand
{
    public static Command Create()
    {
        var delay = new Option<int>("--delay-ms")
        {
            Description = "How long the writer waits before sending the byte the blocking read is waiting for",
            DefaultValueFactory = _ => (int)BlockingDemo.DefaultWriterDelay.TotalMilliseconds,
        };
        var command = new Command("blocking", "A blocking read waits; the same descriptor made non-blocking with fcntl returns EAGAIN at once") { delay };
        command.SetAction(parse =>
        {
            int ms = parse.GetValue(delay);
            if (ms is < 1 or > 10_000)
            {
                throw new UsageException($"--delay-ms {ms} is out of range; give 1 to 10000 milliseconds");
            }
            Console.WriteLine("An AF_UNIX socketpair, created blocking. One descriptor, read three times:");
            BlockingDemoResult result = BlockingDemo.Run(TimeSpan.FromMilliseconds(ms), step =>
            {
                Console.WriteLine();
                Console.WriteLine($"[{step.Mode}] {step.Description}");
                string returned = step.Result >= 0 ? $"returned {step.Result} byte(s)" : $"returned -1, errno {step.Errno}{Hint(step.Errno)}";
                Console.WriteLine($"  {returned} after {Durations.Format(step.Elapsed)}");
            });
            Console.WriteLine();
            Console.WriteLine($"fcntl(fd {result.Fd}, F_SETFL, flags & ~O_NONBLOCK): blocking again: {(result.FlippedBackToBlocking ? "yes" : "no")}");
            Console.WriteLine("Blocking mode waits for data (the thread sleeps in the kernel); non-blocking mode answers now: data, or EAGAIN.");
            return 0;
        });
        return command;
    }

    private static string Hint(Errno errno) => errno == Errno.EAGAIN ? " (nothing to read now; try again later)" : "";
}
