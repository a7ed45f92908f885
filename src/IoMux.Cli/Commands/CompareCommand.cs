using System.CommandLine;
using IoMux.Cli.Compare;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>iomux compare</c>: IoMux's echo server in each mode against the servers people would pick instead,
/// same workloads, interleaved rounds, reported as ratios to the C epoll reference.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for compare.md and compare.png (compare-udp.* with --udp, compare-proxy.* with --proxy, compare-http.* with --http)", DefaultValueFactory = _ => new DirectoryInfo("bench/results") };
        var peers = new Option<DirectoryInfo>("--peers") { Description = "The bench/peers folder (built by bench/setup-peers.sh)", DefaultValueFactory = _ => new DirectoryInfo("bench/peers") };
        var servers = new Option<string[]>("--servers") { Description = $"Servers to run (default all): {string.Join(", ", ServerCatalog.Names)}", AllowMultipleArgumentsPerToken = true };
        var workloads = new Option<string[]>("--workloads") { Description = "CONNECTIONSxSIZE[:DEPTH] each (default 50x64:1 50x1k:1 50x64:16 1x64:1 10x16k:1 10x256k:1)", AllowMultipleArgumentsPerToken = true };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds per server and workload", DefaultValueFactory = _ => 3 };
        var duration = new Option<TimeSpan>("--duration") { Description = "Measured time per run (500ms, 2s…)", CustomParser = BenchArguments.ParseTime, DefaultValueFactory = _ => TimeSpan.FromSeconds(2) };
        var threads = new Option<int>("--threads") { Description = "Client threads", DefaultValueFactory = _ => 1 };
        var idle = new Option<int>("--idle-connections") { Description = "Idle connections for the RSS-per-connection probe (0: skip)", DefaultValueFactory = _ => 4000 };
        var basePort = new Option<int>("--base-port") { Description = "First of the consecutive ports the servers listen on", DefaultValueFactory = _ => 21500 };
        var udp = new Option<bool>("--udp") { Description = $"Compare UDP echo servers instead ({string.Join(", ", UdpServerCatalog.Names)}); default workloads 50x64:1 50x64:32 50x1200:1 50x1200:32, depth = window" };
        var http = new Option<bool>("--http") { Description = $"Compare HTTP servers instead: bench/HttpApp on each Kestrel transport ({string.Join(", ", HttpServerCatalog.Names)}), driven by wrk; default workloads plaintext:50 json:50 echo:50 (ENDPOINT:CONNECTIONS)" };
        var app = new Option<FileInfo>("--app") { Description = "With --http: the built bench/HttpApp (bench/http.sh builds it)", DefaultValueFactory = _ => new FileInfo("bench/HttpApp/bin/Release/net10.0/HttpApp.dll") };
        var pin = new Option<string>("--pin") { Description = "CLIENT:SERVER CPU lists (e.g. 0:1): the load generator (wrk with --http) on the first, every server on the second, so each server sees the same client; default: the scheduler places both" };
        var proxy = new Option<bool>("--proxy") { Description = $"Compare proxies instead, each in front of the C echo server, by the proxy's CPU per message: {string.Join(", ", ProxyCatalog.Names)} (HAProxy the reference)" };

        var command = new Command("compare", "Benchmark IoMux's echo server against C epoll, .NET sockets, Kestrel, Node.js, asyncio/uvloop and the tutorial's server")
        {
            output, peers, servers, workloads, rounds, duration, threads, idle, basePort, udp, proxy, http, app, pin,
        };
        command.SetAction(parse =>
        {
            int roundCount = parse.GetValue(rounds);
            int threadCount = parse.GetValue(threads);
            int idleCount = parse.GetValue(idle);
            int port = parse.GetValue(basePort);
            TimeSpan runTime = parse.GetValue(duration);
            if (roundCount is < 1 or > 100) throw new UsageException($"--rounds {roundCount} is out of range; use 1..100");
            if (threadCount is < 1 or > 64) throw new UsageException($"--threads {threadCount} is out of range; use 1..64");
            if (idleCount is < 0 or > 100_000) throw new UsageException($"--idle-connections {idleCount} is out of range; use 0..100000");
            if (runTime <= TimeSpan.Zero) throw new UsageException("--duration must be positive, e.g. 2s");
            bool datagrams = parse.GetValue(udp);
            bool proxies = parse.GetValue(proxy);
            bool web = parse.GetValue(http);
            if ((datagrams ? 1 : 0) + (proxies ? 1 : 0) + (web ? 1 : 0) > 1) throw new UsageException("--udp, --proxy and --http pick different comparisons; give one of them");
            CpuPinning? pinning = parse.GetValue(pin) is { } pinText ? CpuPinning.Parse(pinText, CpuPinning.Allowed()) : null;
            if (web)
            {
                return RunHttp(parse.GetValue(app)!.FullName, parse.GetValue(servers) ?? [], parse.GetValue(workloads) ?? [], roundCount, runTime, threadCount, port, pinning, parse.GetValue(output)!);
            }
            string peersDirectory = parse.GetValue(peers)!.FullName;
            // With --proxy the echo server behind every proxy takes the port after theirs.
            int upstreamPort = port + ProxyCatalog.Names.Count;
            IReadOnlyList<ServerSpec> specs = datagrams
                ? UdpServerCatalog.Resolve(parse.GetValue(servers) ?? [], peersDirectory)
                : proxies
                    ? ProxyCatalog.Resolve(parse.GetValue(servers) ?? [], peersDirectory, upstreamPort)
                    : ServerCatalog.Resolve(parse.GetValue(servers) ?? [], peersDirectory);
            if (port < 1024 || port + specs.Count + 1 > 65535) throw new UsageException($"--base-port {port} is out of range; use 1024..{65535 - specs.Count - 1}");
            string[] shapes = parse.GetValue(workloads) ?? [];
            IReadOnlyList<Workload> loads = shapes.Length == 0 ? (datagrams ? UdpServerCatalog.Workloads : Workload.Defaults) : [.. shapes.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(Workload.Parse)];

            DirectoryInfo outDir = parse.GetValue(output)!;
            outDir.Create();
            PinThisProcess(pinning);
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

            var options = new ComparisonOptions(specs, loads, roundCount, runTime, threadCount, datagrams ? 0 : idleCount, port, proxies ? "proxy" : "echo server") { Pinning = pinning };
            string commandLine = "iomux compare " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "compare").Skip(1));
            ComparisonResult result;
            string markdown;
            if (datagrams)
            {
                UdpComparisonResult udpResult = UdpComparisonRunner.Run(options, Console.Out, cancel.Token);
                result = udpResult.Result;
                markdown = UdpComparisonReport.Markdown(udpResult, commandLine);
            }
            else
            {
                using ServerProcess? upstream = proxies ? StartUpstream(peersDirectory, upstreamPort) : null;
                result = ComparisonRunner.Run(options, Console.Out, cancel.Token);
                markdown = ComparisonReport.Markdown(result, commandLine);
            }
            WriteReport(outDir, datagrams ? "compare-udp" : proxies ? "compare-proxy" : "compare", markdown, png => ComparisonReport.Chart(result, png));
            return result.Measurements.Values.Any(m => m.Errors > 0) ? 1 : 0;
        });
        return command;
    }

    private static int RunHttp(string appPath, string[] names, string[] shapes, int rounds, TimeSpan duration, int threads, int port, CpuPinning? pinning, DirectoryInfo outDir)
    {
        IReadOnlyList<ServerSpec> specs = HttpServerCatalog.Resolve(names, appPath);
        if (port < 1024 || port + specs.Count > 65535) throw new UsageException($"--base-port {port} is out of range; use 1024..{65535 - specs.Count}");
        IReadOnlyList<HttpWorkload> loads = shapes.Length == 0 ? HttpWorkload.Defaults : [.. shapes.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(HttpWorkload.Parse)];
        outDir.Create();
        PinThisProcess(pinning);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        string commandLine = "iomux compare " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "compare").Skip(1));
        HttpComparisonResult result = HttpComparisonRunner.Run(new HttpComparisonOptions(specs, loads, rounds, duration, threads, port) { Pinning = pinning }, Console.Out, cancel.Token);
        WriteReport(outDir, "compare-http", HttpComparisonReport.Markdown(result, commandLine), png => HttpComparisonReport.Chart(result, png));
        return result.Measurements.Values.Any(m => m.Errors > 0) ? 1 : 0;
    }

    /// <summary>
    /// Moves this process onto the client's CPUs before any server starts: the load generator's threads, and wrk or a
    /// proxy's upstream started from here, inherit them; each server is then moved onto the servers' CPUs.
    /// </summary>
    private static void PinThisProcess(CpuPinning? pinning)
    {
        if (pinning is not null)
        {
            CpuPinning.PinProcessTree(Environment.ProcessId, pinning.Client);
        }
    }

    /// <summary>Writes NAME.md and NAME.png (by <paramref name="chart"/>) into <paramref name="outDir"/>, and prints the Markdown.</summary>
    private static void WriteReport(DirectoryInfo outDir, string name, string markdown, Action<string> chart)
    {
        string mdPath = Path.Combine(outDir.FullName, name + ".md");
        string pngPath = Path.Combine(outDir.FullName, name + ".png");
        File.WriteAllText(mdPath, markdown);
        chart(pngPath);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"wrote {mdPath} and {pngPath}");
    }

    private static ServerProcess StartUpstream(string peersDirectory, int port)
    {
        try
        {
            return ServerProcess.Start(ProxyCatalog.Upstream(peersDirectory), port, TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new UsageException($"the echo server behind the proxies ({ServerCatalog.Reference}) did not start ({e.Message}); run bench/setup-peers.sh", e);
        }
    }
}
