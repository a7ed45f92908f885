using IoMux.Cli.LoadGen;
using Spectre.Console;

namespace IoMux.Cli.UdpLoad;

/// <summary>
/// <c>iomux bench --udp</c>: exit 0 for a clean run, 1 for corruption, no answer at all, or loss above
/// <c>--loss-threshold</c>; loss under it is reported and not an error (UDP promises no delivery). 2 for bad input.
/// </summary>
internal static class UdpBenchCommand
{
    public static int Execute(UdpLoadOptions options, bool json)
    {
        if (options.Validate() is { } problem)
        {
            throw new UsageException(problem);
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        UdpLoadResult result;
        try
        {
            Console.Error.WriteLine($"iomux bench: UDP, {options.Clients} clients to {options.Host}:{options.Port}, {options.Size} B × window {options.Window}"
                + $"{(options.Rate > 0 ? $" at {options.Rate:0} datagrams/s" : ", closed loop")}; warm-up {options.Warmup.TotalSeconds:0.##} s, measuring {options.Duration.TotalSeconds:0.##} s");
            result = UdpLoadGenerator.Run(options, cancel.Token);
        }
        catch (LoadGeneratorException e)
        {
            throw new UsageException(e.Message, e);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (json)
        {
            Console.WriteLine(UdpLoadReport.Json(result));
        }
        else
        {
            AnsiConsole.Write(UdpLoadReport.Table(result));
        }
        foreach (string message in result.Messages)
        {
            Console.Error.WriteLine($"iomux: {message}");
        }
        if (result.Corrupt > 0)
        {
            Console.Error.WriteLine($"iomux: {result.Corrupt} answers were not what was sent");
        }
        if (result.LossAboveThreshold)
        {
            Console.Error.WriteLine($"iomux: {result.LossPercent:0.###} % of datagrams were lost, above --loss-threshold {result.Options.LossThresholdPercent} %");
        }
        if (result.Received == 0)
        {
            Console.Error.WriteLine($"iomux: no datagram was answered inside the measured window; is a UDP echo server on {result.Endpoint}?");
        }
        return result.Cancelled ? 130 : result.Succeeded ? 0 : 1;
    }
}
