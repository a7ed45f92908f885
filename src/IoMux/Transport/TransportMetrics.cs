using System.Diagnostics;
using System.Runtime.CompilerServices;

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

    // Received and Sent run on every read and write: the listener test inlines into the caller, the record does not
    // (NativeAOT, without a profile, would call the whole method for a test that is false unless someone listens).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Received(int bytes)
    {
        if (IoMuxMetrics.NetworkIo.Enabled)
        {
            RecordNetworkIo(bytes, "receive");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sent(int bytes)
    {
        if (IoMuxMetrics.NetworkIo.Enabled)
        {
            RecordNetworkIo(bytes, "transmit");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RecordNetworkIo(int bytes, string direction) =>
        IoMuxMetrics.NetworkIo.Add(bytes, new KeyValuePair<string, object?>("network.io.direction", direction));

    public static void ReadPaused()
    {
        if (IoMuxMetrics.ReadPauses.Enabled)
        {
            IoMuxMetrics.ReadPauses.Add(1);
        }
    }
}
