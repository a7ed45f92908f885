namespace MiniRedis;

/// <summary>
/// Splits an inline command into words as Redis's sdssplitargs does: spaces separate, "double quotes" take
/// \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \' only, and a closing quote must be followed by a
/// space or the end.
/// </summary>
internal static class InlineWords
{
    /// <summary>False on unbalanced quotes (Redis's "unbalanced quotes in request").</summary>
    public static bool Split(ReadOnlySpan<byte> line, RespRequest request)
    {
        int i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }
            if (i == line.Length)
            {
                return true;
            }
            Span<byte> word = request.Add(line.Length - i);
            int length = 0;
            bool inDouble = false, inSingle = false;
            while (true)
            {
                if (i == line.Length)
                {
                    if (inDouble || inSingle)
                    {
                        return false;
                    }
                    break;
                }
                byte c = line[i];
                if (inDouble)
                {
                    if (c == (byte)'\\' && i + 3 < line.Length && line[i + 1] == (byte)'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        word[length++] = (byte)((Hex(line[i + 2]) << 4) | Hex(line[i + 3]));
                        i += 4;
                        continue;
                    }
                    if (c == (byte)'\\' && i + 1 < line.Length)
                    {
                        i++;
                        word[length++] = line[i] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            byte other => other,
                        };
                    }
                    else if (c == (byte)'"')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }
                        inDouble = false;
                        i++;
                        break;
                    }
                    else
                    {
                        word[length++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (c == (byte)'\\' && i + 1 < line.Length && line[i + 1] == (byte)'\'')
                    {
                        i++;
                        word[length++] = (byte)'\'';
                    }
                    else if (c == (byte)'\'')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }
                        inSingle = false;
                        i++;
                        break;
                    }
                    else
                    {
                        word[length++] = c;
                    }
                }
                else if (IsSpace(c))
                {
                    break;
                }
                else if (c == (byte)'"')
                {
                    inDouble = true;
                }
                else if (c == (byte)'\'')
                {
                    inSingle = true;
                }
                else
                {
                    word[length++] = c;
                }
                i++;
            }
            request.Shrink(length);
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f' or 0;

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int Hex(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
