using System.Buffers.Binary;

namespace IoMux.Cli.UdpLoad;

/// <summary>
/// The content of every datagram of a run, and its check: a magic number, the client, the sequence number, then
/// bytes that follow from those, so an answer that is not exactly what was sent is told apart from a good one.
/// </summary>
internal static class DatagramCheck
{
    private const uint Magic = 0x584D_5549; // "IUMX"

    public static void Fill(Span<byte> datagram, int client, long sequence)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(datagram, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(datagram[4..], client);
        BinaryPrimitives.WriteInt64LittleEndian(datagram[8..], sequence);
        for (int i = UdpLoadOptions.HeaderSize; i < datagram.Length; i++)
        {
            datagram[i] = Pattern(client, sequence, i);
        }
    }

    /// <summary>The sequence number of an intact answer for <paramref name="client"/> of <paramref name="size"/> bytes, or -1 when it is corrupt.</summary>
    public static long Check(ReadOnlySpan<byte> datagram, int client, int size)
    {
        if (datagram.Length != size || BinaryPrimitives.ReadUInt32LittleEndian(datagram) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(datagram[4..]) != client)
        {
            return -1;
        }
        long sequence = BinaryPrimitives.ReadInt64LittleEndian(datagram[8..]);
        if (sequence < 0)
        {
            return -1;
        }
        for (int i = UdpLoadOptions.HeaderSize; i < datagram.Length; i++)
        {
            if (datagram[i] != Pattern(client, sequence, i))
            {
                return -1;
            }
        }
        return sequence;
    }

    private static byte Pattern(int client, long sequence, int index) => (byte)((sequence * 31) + (client * 7) + index);
}
