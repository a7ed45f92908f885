using System.Buffers;
using System.Buffers.Text;

namespace MiniRedis;

/// <summary>RESP2 replies, written straight into the connection's output pipe (no intermediate buffer).</summary>
internal static class RespWriter
{
    public static void Simple(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        Span<byte> span = output.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        "\r\n"u8.CopyTo(span[(1 + text.Length)..]);
        output.Advance(text.Length + 3);
    }

    /// <summary>An error reply; <paramref name="message"/> starts with its code (ERR, WRONGTYPE...), as Redis's do.</summary>
    public static void Error(IBufferWriter<byte> output, string message)
    {
        Span<byte> span = output.GetSpan(message.Length * 3 + 3);
        span[0] = (byte)'-';
        int n = System.Text.Encoding.UTF8.GetBytes(message, span[1..]);
        "\r\n"u8.CopyTo(span[(1 + n)..]);
        output.Advance(n + 3);
    }

    public static void Integer(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(23);
        span[0] = (byte)':';
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        "\r\n"u8.CopyTo(span[(1 + n)..]);
        output.Advance(n + 3);
    }

    public static void Bulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        Span<byte> header = output.GetSpan(14);
        header[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, header[1..], out int n);
        "\r\n"u8.CopyTo(header[(1 + n)..]);
        output.Advance(n + 3);
        output.Write(value);
        output.Write("\r\n"u8);
    }

    public static void NullBulk(IBufferWriter<byte> output) => output.Write("$-1\r\n"u8);
}
