using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoMux.Cli.LoadGen;
using Spectre.Console;

namespace IoMux.Cli.UdpLoad;

/// <summary>How a <see cref="UdpLoadResult"/> is shown: a table for people, JSON for machines.</summary>
internal static class UdpLoadReport
{
    public static Table Table(UdpLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        UdpLoadOptions o = result.Options;
        LatencySummary l = result.Latency;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.Title = new TableTitle($"iomux bench --udp → {result.Endpoint}");
        table.AddRow("clients × window", $"{o.Clients} × {o.Window} ({o.Threads} thread{(o.Threads == 1 ? "" : "s")}, {(o.Rate > 0 ? $"rated at {Number(o.Rate, 0)} datagrams/s" : "closed loop")})");
        table.AddRow("datagram size", $"{o.Size} B");
        table.AddRow("measured", $"{Number(result.Duration.TotalSeconds, 2)} s after {Number(o.Warmup.TotalSeconds, 1)} s warm-up{(result.Cancelled ? " (cancelled)" : "")}");
        table.AddRow("datagrams sent", Number(result.Sent, 0));
        table.AddRow("answered", Number(result.Received, 0));
        table.AddRow("throughput", $"{Number(result.DatagramsPerSecond, 0)} datagrams/s");
        table.AddRow("lost", $"{Number(result.Lost, 0)} ({Number(result.LossPercent, 3)} %){(result.LossAboveThreshold ? " [red]above --loss-threshold[/]" : "")}");
        table.AddRow("duplicated", Number(result.Duplicated, 0));
        table.AddRow("reordered", Number(result.Reordered, 0));
        table.AddRow("late (after counted lost)", Number(result.Late, 0));
        table.AddRow("corrupt", result.Corrupt == 0 ? "[green]0[/]" : $"[red]{result.Corrupt}[/]");
        table.AddRow("latency p50", Micros(l.P50));
        table.AddRow("latency p90", Micros(l.P90));
        table.AddRow("latency p99", Micros(l.P99));
        table.AddRow("latency p99.9", Micros(l.P999));
        table.AddRow("latency max", Micros(l.Max));
        return table;
    }

    public static string Json(UdpLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        UdpLoadOptions o = result.Options;
        LatencySummary l = result.Latency;
        var report = new UdpBenchJson(
            result.Endpoint, o.Clients, o.Threads, o.Size, o.Window, o.Rate, result.Duration.TotalSeconds, o.Warmup.TotalSeconds,
            result.Sent, result.Received, result.DatagramsPerSecond, result.Lost, result.LossPercent, result.Duplicated, result.Reordered,
            result.Late, result.Corrupt, result.SocketErrors, new UdpLatencyJson(l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean),
            result.Messages, result.Cancelled, result.Succeeded);
        return JsonSerializer.Serialize(report, UdpBenchJsonContext.Default.UdpBenchJson);
    }

    private static string Number(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Micros(double us) => $"{Number(us, 1)} µs";
}

internal sealed record UdpLatencyJson(double P50, double P90, double P99, double P999, double Max, double Mean);

internal sealed record UdpBenchJson(
    string Endpoint,
    int Clients,
    int Threads,
    int Size,
    int Window,
    double Rate,
    double DurationSeconds,
    double WarmupSeconds,
    long Sent,
    long Received,
    double DatagramsPerSecond,
    long Lost,
    double LossPercent,
    long Duplicated,
    long Reordered,
    long Late,
    long Corrupt,
    long SocketErrors,
    UdpLatencyJson LatencyMicroseconds,
    IReadOnlyList<string> Messages,
    bool Cancelled,
    bool Succeeded);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UdpBenchJson))]
internal sealed partial class UdpBenchJsonContext : JsonSerializerContext;
