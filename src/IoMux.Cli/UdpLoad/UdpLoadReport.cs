using System.Text.Json;
using System.Text.Json.Serialization;
using IoMux.Cli.Commands;
using Spectre.Console;

namespace IoMux.Cli.UdpLoad;

/// <summary>How a <see cref="UdpLoadResult"/> is shown: a table for people, JSON for machines.</summary>
internal static class UdpLoadReport
{
    public static Table Table(UdpLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        UdpLoadOptions o = result.Options;
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
        BenchReport.AddLatencyRows(table, result.Latency);
        return table;
    }

    public static string Json(UdpLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        UdpLoadOptions o = result.Options;
        var report = new UdpBenchJson(
            result.Endpoint, o.Clients, o.Threads, o.Size, o.Window, o.Rate, result.Duration.TotalSeconds, o.Warmup.TotalSeconds,
            result.Sent, result.Received, result.DatagramsPerSecond, result.Lost, result.LossPercent, result.Duplicated, result.Reordered,
            result.Late, result.Corrupt, result.SocketErrors, LatencyJson.From(result.Latency),
            result.Messages, result.Cancelled, result.Succeeded);
        return JsonSerializer.Serialize(report, UdpBenchJsonContext.Default.UdpBenchJson);
    }

    private static string Number(double value, int decimals) => BenchReport.Number(value, decimals);
}

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
    LatencyJson LatencyMicroseconds,
    IReadOnlyList<string> Messages,
    bool Cancelled,
    bool Succeeded);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UdpBenchJson))]
internal sealed partial class UdpBenchJsonContext : JsonSerializerContext;
