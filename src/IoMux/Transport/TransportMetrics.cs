using System.Diagnostics;

namespace IoMux.Transport;

/// <summary>The transport's records on the <see cref="IoMuxMetrics"/> instruments; each does nothing unless someone listens.</summary>
internal static class TransportMetrics
{
    private static readonly string[] CloseReasons = Enum.GetNames<CloseReason>();
    private static readonly string[] RejectReasons = Enum.GetNames<RejectReason>();

    public static void Opened()
    {
        if (IoMuxMetrics.ConnectionsOpened.Enabled)
        {
            IoMuxMetrics.ConnectionsOpened.Add(1);
        }
        if (IoMuxMetrics.ActiveConnections.Enabled)
        {
            IoMuxMetrics.ActiveConnections.Add(1);
        }
    }

    /// <summary>A started connection closed; <paramref name="openedAt"/> is its Stopwatch timestamp at start.</summary>
    public static void Closed(CloseReason reason, long openedAt)
    {
        var tag = new KeyValuePair<string, object?>("iomux.close_reason", CloseReasons[(int)reason]);
        if (IoMuxMetrics.ConnectionsClosed.Enabled)
        {
            IoMuxMetrics.ConnectionsClosed.Add(1, tag);
        }
        if (IoMuxMetrics.ActiveConnections.Enabled)
        {
            IoMuxMetrics.ActiveConnections.Add(-1);
        }
        if (IoMuxMetrics.ConnectionDuration.Enabled)
        {
            IoMuxMetrics.ConnectionDuration.Record(Stopwatch.GetElapsedTime(openedAt).TotalSeconds, tag);
        }
    }

    public static void Rejected(RejectReason reason)
    {
        if (IoMuxMetrics.ConnectionsRejected.Enabled)
        {
            IoMuxMetrics.ConnectionsRejected.Add(1, new KeyValuePair<string, object?>("iomux.reject_reason", RejectReasons[(int)reason]));
        }
    }

    public static void Received(int bytes)
    {
        if (IoMuxMetrics.NetworkIo.Enabled)
        {
            IoMuxMetrics.NetworkIo.Add(bytes, new KeyValuePair<string, object?>("network.io.direction", "receive"));
        }
    }

    public static void Sent(int bytes)
    {
        if (IoMuxMetrics.NetworkIo.Enabled)
        {
            IoMuxMetrics.NetworkIo.Add(bytes, new KeyValuePair<string, object?>("network.io.direction", "transmit"));
        }
    }

    public static void ReadPaused()
    {
        if (IoMuxMetrics.ReadPauses.Enabled)
        {
            IoMuxMetrics.ReadPauses.Add(1);
        }
    }
}
