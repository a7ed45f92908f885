using System.CommandLine;
using IoMux.Cli.Demos.Models;
using IoMux.Cli.Scaling;

namespace IoMux.Cli.Commands;

/// <summary><c>iomux demo models</c>: the same reading task four ways, with wall time, CPU time and system calls.</summary>
internal static class DemoModelsCommand
{
    public static Command Create()
    {
        var channels = new Option<int>("--channels") { Description = "Channels (socketpairs) to read", DefaultValueFactory = _ => ModelWorkload.Default.Channels };
        var messages = new Option<int>("--messages") { Description = "Rounds of one 64-byte message per channel, 1 ms apart", DefaultValueFactory = _ => ModelWorkload.Default.Messages };
        var noStrace = new Option<bool>("--no-strace") { Description = "Do not count system calls with strace" };
        var child = new Option<string?>("--child") { Description = "Internal: run one model (or 'none') quietly, for strace", Hidden = true };
        var command = new Command("models", "Read several channels four ways (blocking threads, polling loop, multiplexing, .NET async): wall time, CPU and system calls")
        {
            channels, messages, noStrace, child,
        };
        command.SetAction(parse =>
        {
            var workload = ModelWorkload.Default with { Channels = parse.GetValue(channels), Messages = parse.GetValue(messages) };
            try
            {
                workload.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            string? childModel = parse.GetValue(child);
            if (childModel is not null)
            {
                return RunChild(childModel, workload);
            }
            string? strace = parse.GetValue(noStrace) ? null : SyscallCounter.FindStrace();
            Console.WriteLine($"Task: read {workload.Channels} channels (AF_UNIX socketpairs) to EOF while a producer sends {workload.Messages} rounds of {workload.MessageSize} bytes to each, {workload.Pause.TotalMilliseconds} ms apart.");
            IReadOnlyList<ModelReport> reports = ModelsDemo.Run(workload, strace, model => ChildCommand(model, workload), out string? note);
            Print(reports, note, parse.GetValue(noStrace));
            return 0;
        });
        return command;
    }

    private static int RunChild(string model, ModelWorkload workload)
    {
        if (model == ModelsDemo.BaselineChild)
        {
            ModelRunner.RunProducerOnly(workload);
            return 0;
        }
        if (!IoModels.TryParse(model, out DemoModel parsed))
        {
            throw new UsageException($"--child: '{model}' is not a model; use threads, polling, multiplexing, async or none");
        }
        ModelRunner.Run(parsed, workload);
        return 0;
    }

    /// <summary>This same program, asked to run one model.</summary>
    private static List<string> ChildCommand(string model, ModelWorkload workload)
    {
        (string file, string[] prefix) = SelfInvocation.Resolve();
        return [file, .. prefix, "demo", "models", "--child", model, "--channels", $"{workload.Channels}", "--messages", $"{workload.Messages}"];
    }

    private static void Print(IReadOnlyList<ModelReport> reports, string? note, bool straceOff)
    {
        Console.WriteLine();
        Console.WriteLine($"{"model",-13} {"threads",7} {"wall",9} {"CPU",9} {"reads",7} {"EAGAIN",8} {"waits",6} {"syscalls",9}  largest syscall counts");
        foreach (ModelReport r in reports)
        {
            ModelCounts c = r.Run.Counts;
            string threads = r.Run.Model == DemoModel.Async ? "pool" : $"{c.Threads}";
            string syscalls = r.Syscalls is null ? "-" : $"{r.Syscalls.Total}";
            string top = r.Syscalls is null ? "" : string.Join(", ", r.Syscalls.Top.Select(kv => $"{kv.Key} {kv.Value}"));
            Console.WriteLine($"{IoModels.Name(r.Run.Model),-13} {threads,7} {Durations.Format(r.Run.Wall),9} {Durations.Format(r.Run.Cpu),9} {c.Reads,7} {c.EmptyReads,8} {c.Waits,6} {syscalls,9}  {top}");
        }
        Console.WriteLine();
        foreach (ModelReport r in reports)
        {
            Console.WriteLine($"{IoModels.Name(r.Run.Model),-13} {IoModels.Describe(r.Run.Model)}");
        }
        Console.WriteLine();
        Console.WriteLine($"reads/EAGAIN/waits: counted by the model itself (async: ReceiveAsync calls). wall, CPU: this process, without strace,");
        Console.WriteLine($"the run with the median wall time of {ModelsDemo.Rounds}.");
        if (note is not null)
        {
            Console.WriteLine(straceOff ? "syscalls: not counted (--no-strace)" : $"syscalls: {note}");
        }
        else
        {
            Console.WriteLine("syscalls: strace -f -c of a child running the model, minus a child that starts up and runs only the producer;");
            Console.WriteLine("          thread start-up counts toward the model. The async model's reads happen inside .NET: on Linux it");
            Console.WriteLine("          tries recvmsg at once; on EAGAIN its SocketAsyncEngine thread waits in epoll_wait and the read is");
            Console.WriteLine("          retried when the socket is ready. Readiness underneath (true completion: io_uring).");
            Console.WriteLine("          strace slows every call, so the polling loop makes far fewer calls under it than its EAGAIN count shows.");
        }
    }
}
