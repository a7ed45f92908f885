using System.Buffers;

namespace MiniRedis;

/// <summary>
/// Reads RESP2 requests the way Redis does: a multibulk array of bulk strings (what clients send), or an inline
/// command (a line of words, what telnet and <c>redis-benchmark</c>'s inline PING send). A malformed request is a
/// protocol error, answered with Redis's own message before the connection is closed.
/// </summary>
internal static class RespParser
{
    /// <summary>Redis's limit on a line it will look for an end in (PROTO_INLINE_MAX_SIZE).</summary>
    public const int MaxInline = 64 * 1024;

    /// <summary>Redis's limits on arguments per request (for an authenticated client) and bytes per argument (proto-max-bulk-len).</summary>
    public const int MaxArguments = int.MaxValue;

    public const long MaxBulk = 512L * 1024 * 1024;

    /// <summary>
    /// Parses one request from the start of <paramref name="buffer"/> into <paramref name="request"/> and slices it
    /// off. False when the request is not complete yet (nothing consumed) or on a protocol error
    /// (<paramref name="error"/> set). An empty request (a blank line, <c>*0</c>) parses with no arguments.
    /// </summary>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, RespRequest request, out string? error)
    {
        error = null;
        request.Clear();
        if (buffer.IsEmpty)
        {
            return false;
        }
        var reader = new SequenceReader<byte>(buffer);
        bool complete = buffer.FirstSpan[0] == (byte)'*'
            ? TryMultibulk(ref reader, request, out error)
            : TryInline(ref reader, request, out error);
        if (complete)
        {
            buffer = buffer.Slice(reader.Position);
        }
        return complete;
    }

    private static bool TryMultibulk(ref SequenceReader<byte> reader, RespRequest request, out string? error)
    {
        error = null;
        reader.Advance(1);
        if (!TryLine(ref reader, out ReadOnlySequence<byte> countLine, "too big mbulk count string", out error))
        {
            return false;
        }
        if (!TryNumber(countLine, out long count) || count > MaxArguments)
        {
            error = "Protocol error: invalid multibulk length";
            return false;
        }
        for (long i = 0; i < count; i++)
        {
            if (!reader.TryPeek(out byte dollar))
            {
                return false;
            }
            if (dollar != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)dollar}'";
                return false;
            }
            reader.Advance(1);
            if (!TryLine(ref reader, out ReadOnlySequence<byte> lengthLine, "too big bulk count string", out error))
            {
                return false;
            }
            if (!TryNumber(lengthLine, out long length) || length < 0 || length > MaxBulk)
            {
                error = "Protocol error: invalid bulk length";
                return false;
            }
            if (reader.Remaining < length + 2)
            {
                return false;
            }
            reader.UnreadSequence.Slice(0, length).CopyTo(request.Add((int)length));
            reader.Advance(length + 2); // Redis, too, skips the two bytes after the data without checking them
        }
        return true;
    }

    private static bool TryInline(ref SequenceReader<byte> reader, RespRequest request, out string? error)
    {
        if (!TryLine(ref reader, out ReadOnlySequence<byte> line, "too big inline request", out error))
        {
            return false;
        }
        byte[]? rented = null;
        int length = (int)line.Length;
        Span<byte> text = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            line.CopyTo(text);
            if (!InlineWords.Split(text, request))
            {
                error = "Protocol error: unbalanced quotes in request";
                return false;
            }
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A line up to LF, without it and a CR before it; a line longer than Redis looks is <paramref name="tooBig"/>.</summary>
    private static bool TryLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line, string tooBig, out string? error)
    {
        error = null;
        if (!reader.TryReadTo(out line, (byte)'\n'))
        {
            if (reader.Remaining > MaxInline)
            {
                error = $"Protocol error: {tooBig}";
            }
            return false;
        }
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }
        return true;
    }

    /// <summary>Redis's string2ll: optional '-', digits, no leading zeros, no '+', no spaces, fits in 64 bits.</summary>
    public static bool TryNumber(ReadOnlySequence<byte> text, out long value)
    {
        Span<byte> digits = stackalloc byte[21];
        if (text.Length is 0 or > 20)
        {
            value = 0;
            return false;
        }
        text.CopyTo(digits);
        return TryNumber(digits[..(int)text.Length], out value);
    }

    public static bool TryNumber(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }
        bool negative = text[0] == (byte)'-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || (digits[0] == (byte)'0' && (digits.Length > 1 || negative)))
        {
            return false;
        }
        ulong magnitude = 0;
        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            ulong next = (magnitude * 10) + (ulong)(b - '0');
            if (magnitude > ulong.MaxValue / 10 || next < magnitude)
            {
                return false;
            }
            magnitude = next;
        }
        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue)
        {
            return false;
        }
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }
}
