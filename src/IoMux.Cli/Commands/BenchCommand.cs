using System.CommandLine;
using IoMux.Cli.LoadGen;
using IoMux.Cli.UdpLoad;
using Spectre.Console;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>iomux bench</c>: drive an echo server with verified traffic and report throughput and latency.
/// Exit codes: 0 a clean run, 1 the run saw errors (or echoed nothing), 2 bad input or the run could not start, 130 cancelled.
/// </summary>
internal static class BenchCommand
{
    private const int RunFailed = 1;
    private const int Cancelled = 130;

    public static Command Create()
    {
        var defaults = new LoadOptions();
        var host = new Option<string>("--host") { Description = "Echo server host name or address, or unix:PATH (unix:@name for an abstract name) for a Unix socket", DefaultValueFactory = _ => defaults.Host };
        var port = new Option<int>("--port") { Description = "Echo server port", DefaultValueFactory = _ => defaults.Port };
        var connections = new Option<int>("--connections", "-c") { Description = "Connections held open for the run", DefaultValueFactory = _ => defaults.Connections };
        var size = new Option<int>("--size", "-s") { Description = "Bytes per message (64, 1KiB, 1MiB…)", CustomParser = BenchArguments.ParseSize, DefaultValueFactory = _ => defaults.Size };
        var depth = new Option<int>("--depth", "-d") { Description = "Messages in flight per connection (1 = ping-pong)", DefaultValueFactory = _ => defaults.Depth };
        var duration = new Option<TimeSpan>("--duration") { Description = "Measured time (500ms, 10s, 2m)", CustomParser = BenchArguments.ParseTime, DefaultValueFactory = _ => defaults.Duration };
        var warmup = new Option<TimeSpan>("--warmup") { Description = "Unrecorded traffic before measuring", CustomParser = BenchArguments.ParseTime, DefaultValueFactory = _ => defaults.Warmup };
        var threads = new Option<int>("--threads", "-t") { Description = "Client threads, one epoll loop each", DefaultValueFactory = _ => defaults.Threads };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout (progress goes to stderr)" };
        var udp = new Option<bool>("--udp") { Description = "Load a UDP echo server: --connections clients, --depth datagrams in flight each, every datagram checked; loss, duplicates, reordering and corruption counted apart" };
        var rate = new Option<double>("--rate") { Description = "With --udp: datagrams per second for all clients together (0: closed loop, as fast as the window allows)" };
        var lossTimeout = new Option<TimeSpan>("--loss-timeout") { Description = "With --udp: a datagram unanswered this long counts as lost", CustomParser = BenchArguments.ParseTime, DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };
        var lossThreshold = new Option<double?>("--loss-threshold") { Description = "With --udp: fail (exit 1) when more than this percentage of datagrams is lost; without it loss is reported, not an error" };

        var command = new Command("bench", "Load an echo server with verified traffic: throughput and round-trip latency")
        {
            host, port, connections, size, depth, duration, warmup, threads, json, udp, rate, lossTimeout, lossThreshold,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(udp))
            {
                return UdpBenchCommand.Execute(new UdpLoadOptions
                {
                    Host = parse.GetValue(host)!,
                    Port = parse.GetValue(port),
                    Clients = parse.GetValue(connections),
                    Size = parse.GetValue(size),
                    Window = parse.GetValue(depth),
                    Rate = parse.GetValue(rate),
                    Duration = parse.GetValue(duration),
                    Warmup = parse.GetValue(warmup),
                    LossTimeout = parse.GetValue(lossTimeout),
                    LossThresholdPercent = parse.GetValue(lossThreshold),
                    Threads = parse.GetValue(threads),
                }, parse.GetValue(json));
            }
            if (parse.GetValue(rate) != 0 || parse.GetValue(lossThreshold) is not null)
            {
                throw new UsageException("--rate and --loss-threshold apply to --udp only; add --udp, or omit them");
            }
            var options = new LoadOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                Connections = parse.GetValue(connections),
                Size = parse.GetValue(size),
                Depth = parse.GetValue(depth),
                Duration = parse.GetValue(duration),
                Warmup = parse.GetValue(warmup),
                Threads = parse.GetValue(threads),
            };
            return Execute(options, parse.GetValue(json));
        });
        return command;
    }

    private static int Execute(LoadOptions options, bool json)
    {
        if (options.Validate() is { } problem)
        {
            throw new UsageException(problem);
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // end the measurement and report it, rather than die
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        LoadResult result;
        try
        {
            result = Console.IsOutputRedirected || json || !AnsiConsole.Profile.Capabilities.Interactive
                ? RunPlain(options, cancel.Token)
                : RunWithProgressBar(options, cancel.Token);
        }
        catch (LoadGeneratorException e)
        {
            throw new UsageException(e.Message, e);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("iomux: cancelled before the run started");
            return Cancelled;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        if (json)
        {
            Console.WriteLine(BenchReport.Json(result));
        }
        else
        {
            AnsiConsole.Write(BenchReport.Table(result));
        }
        foreach (string error in result.ErrorMessages)
        {
            Console.Error.WriteLine($"iomux: error: {error}");
        }
        if (result.Errors > result.ErrorMessages.Count)
        {
            Console.Error.WriteLine($"iomux: … and {result.Errors - result.ErrorMessages.Count} more errors");
        }
        if (result.Messages == 0 && result.Errors == 0)
        {
            Console.Error.WriteLine("iomux: no message was echoed inside the measured window; give a longer --duration");
        }
        return result.Cancelled ? Cancelled : result.Succeeded ? 0 : RunFailed;
    }

    /// <summary>
    /// One line on stderr per phase once connected: readable in logs and CI, stdout stays clean for --json,
    /// and a run that cannot start prints only its one-line error.
    /// </summary>
    private static LoadResult RunPlain(LoadOptions options, CancellationToken cancel)
    {
        LoadPhase last = LoadPhase.Connecting;
        var progress = new Reporter(p =>
        {
            if (p.Phase == last)
            {
                return;
            }
            if (last == LoadPhase.Connecting)
            {
                Console.Error.WriteLine($"iomux bench: {options.Connections} connections to {options.Target}, {options.Size} B × depth {options.Depth}, {options.Threads} thread(s)");
            }
            last = p.Phase;
            Console.Error.WriteLine(p.Phase switch
            {
                LoadPhase.Warmup => $"iomux bench: warming up for {options.Warmup.TotalSeconds:0.##} s",
                LoadPhase.Measuring => $"iomux bench: measuring for {options.Duration.TotalSeconds:0.##} s",
                _ => "iomux bench: draining messages still in flight",
            });
        });
        return LoadGenerator.Run(options, progress, cancel);
    }

    private static LoadResult RunWithProgressBar(LoadOptions options, CancellationToken cancel)
    {
        LoadResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask($"connecting to {options.Target}", maxValue: 1.0);
                var progress = new Reporter(p =>
                {
                    task.Value = p.Phase switch
                    {
                        LoadPhase.Connecting => 0,
                        LoadPhase.Warmup => 0,
                        LoadPhase.Measuring => p.MeasuredElapsed / p.MeasureDuration,
                        _ => 1.0,
                    };
                    double rate = p.MeasuredElapsed > TimeSpan.Zero ? p.Measured / p.MeasuredElapsed.TotalSeconds : 0;
                    task.Description = p.Phase switch
                    {
                        LoadPhase.Connecting => $"connecting {p.Connected}/{p.Connections}",
                        LoadPhase.Warmup => $"warming up ({p.Completed:N0} msgs)",
                        LoadPhase.Measuring => $"measuring {rate:N0} msg/s{(p.Errors > 0 ? $" [red]{p.Errors} errors[/]" : "")}",
                        _ => "draining in-flight messages",
                    };
                });
                result = LoadGenerator.Run(options, progress, cancel);
                task.Value = 1.0;
            });
        return result!;
    }

    /// <summary>Reports progress on the caller's thread (no synchronization context hop, unlike Progress&lt;T&gt;).</summary>
    private sealed class Reporter(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}
