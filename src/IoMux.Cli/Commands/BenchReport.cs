using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoMux.Cli.LoadGen;
using Spectre.Console;

namespace IoMux.Cli.Commands;

/// <summary>How a <see cref="LoadResult"/> is shown: a table for people, JSON for machines.</summary>
internal static class BenchReport
{
    public static Table Table(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        LoadOptions o = result.Options;
        LatencySummary l = result.Latency;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.Title = new TableTitle($"iomux bench → {result.Endpoint}");
        table.AddRow("connections × depth", $"{o.Connections} × {o.Depth} ({o.Threads} thread{(o.Threads == 1 ? "" : "s")})");
        table.AddRow("message size", $"{o.Size} B");
        table.AddRow("measured", $"{Number(result.Duration.TotalSeconds, 2)} s after {Number(o.Warmup.TotalSeconds, 1)} s warm-up{(result.Cancelled ? " (cancelled)" : "")}");
        table.AddRow("messages echoed", Number(result.Messages, 0));
        table.AddRow("throughput", $"{Number(result.MessagesPerSecond, 0)} msg/s");
        table.AddRow("bandwidth (payload, one way)", $"{Number(result.MebibytesPerSecond, 2)} MiB/s");
        AddLatencyRows(table, l);
        table.AddRow("errors", result.Errors == 0 ? "[green]0[/]" : $"[red]{result.Errors}[/]");
        return table;
    }

    public static string Json(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        LoadOptions o = result.Options;
        var report = new BenchJson(
            result.Endpoint, o.Connections, o.Threads, o.Size, o.Depth,
            result.Duration.TotalSeconds, o.Warmup.TotalSeconds, result.Messages, result.Bytes,
            result.MessagesPerSecond, result.MebibytesPerSecond,
            LatencyJson.From(result.Latency),
            result.Errors, result.ErrorMessages, result.Cancelled, result.Succeeded);
        return JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchJson);
    }

    /// <summary>The latency rows every bench table ends with (TCP and UDP alike).</summary>
    internal static void AddLatencyRows(Table table, LatencySummary l)
    {
        table.AddRow("latency p50", Micros(l.P50));
        table.AddRow("latency p90", Micros(l.P90));
        table.AddRow("latency p99", Micros(l.P99));
        table.AddRow("latency p99.9", Micros(l.P999));
        table.AddRow("latency max", Micros(l.Max));
    }

    internal static string Number(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Micros(double us) => $"{Number(us, 1)} µs";
}

/// <summary>Latency percentiles in microseconds, as both bench reports write them.</summary>
internal sealed record LatencyJson(double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static LatencyJson From(LatencySummary l) => new(l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean);
}

internal sealed record BenchJson(
    string Endpoint,
    int Connections,
    int Threads,
    int Size,
    int Depth,
    double DurationSeconds,
    double WarmupSeconds,
    long Messages,
    long Bytes,
    double MessagesPerSecond,
    double MebibytesPerSecond,
    LatencyJson LatencyMicroseconds,
    long Errors,
    IReadOnlyList<string> ErrorMessages,
    bool Cancelled,
    bool Succeeded);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BenchJson))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
