using System.Diagnostics.Metrics;

namespace IoMux;

/// <summary>
/// The <c>IoMux</c> meter and its instruments, named as OpenTelemetry's semantic conventions name the same things
/// where they exist (<c>*.connection.duration</c>, <c>*.active_connections</c>, <c>network.io.direction</c>,
/// <c>error.type</c>); watch them with <c>dotnet-counters monitor --counters IoMux</c> or any MeterListener.
/// Every record site checks <see cref="Instrument.Enabled"/> first, so nothing is measured, read from the
/// clock or allocated while nobody listens.
/// </summary>
public static class IoMuxMetrics
{
    /// <summary>The meter's name: <c>IoMux</c>.</summary>
    public const string MeterName = "IoMux";

    private static readonly Meter Meter = new(MeterName, typeof(IoMuxMetrics).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> ConnectionsOpened = Meter.CreateCounter<long>(
        "iomux.connections.opened", "{connection}", "Connections handed to a handler.");

    internal static readonly Counter<long> ConnectionsClosed = Meter.CreateCounter<long>(
        "iomux.connections.closed", "{connection}", "Connections closed, by iomux.close_reason.");

    internal static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>(
        "iomux.active_connections", "{connection}", "Connections open now (handed to a handler, not yet closed).");

    internal static readonly Histogram<double> ConnectionDuration = Meter.CreateHistogram<double>(
        "iomux.connection.duration", "s", "How long connections lived, by iomux.close_reason.");

    internal static readonly Counter<long> ConnectionsRejected = Meter.CreateCounter<long>(
        "iomux.connections.rejected", "{connection}", "Connections closed at once before any handler saw them, by iomux.reject_reason.");

    internal static readonly Counter<long> NetworkIo = Meter.CreateCounter<long>(
        "iomux.network.io", "By", "Bytes received and sent by connections, by network.io.direction.");

    internal static readonly Counter<long> ReadPauses = Meter.CreateCounter<long>(
        "iomux.connection.read_pauses", "{pause}", "Times a connection stopped reading because its queued output passed the high watermark.");

    internal static readonly Counter<long> LoopWaits = Meter.CreateCounter<long>(
        "iomux.loop.waits", "{wait}", "Times a loop waited on its selector.");

    internal static readonly Histogram<int> LoopEventsPerWait = Meter.CreateHistogram<int>(
        "iomux.loop.events_per_wait", "{event}", "Readiness events one wait returned.");

    internal static readonly Counter<double> LoopTime = Meter.CreateCounter<double>(
        "iomux.loop.time", "s", "Time loops spent, by iomux.loop.state: waiting in the kernel or busy running callbacks.");

    internal static readonly Histogram<double> LoopLag = Meter.CreateHistogram<double>(
        "iomux.loop.lag", "s", "How late work ran: a posted action after its Post, a timer after its deadline; by iomux.work.");
}
