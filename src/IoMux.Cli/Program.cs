using System.CommandLine;
using IoMux.Cli;
using IoMux.Cli.Commands;

var root = new RootCommand("iomux: I/O multiplexing for .NET — select, poll and epoll, made visible")
{
    BackendsCommand.Create(),
    EchoCommand.Create(),
    ProxyCommand.Create(),
    ScaleCommand.Create(),
    DemoCommand.Create(),
    BenchCommand.Create(),
    CompareCommand.Create(),
};
return CliRunner.Run(root, args);
