using System.Buffers.Binary;

namespace IoMux.Cli.LoadGen;

/// <summary>
/// The bytes every message carries, so every echoed byte can be checked without keeping a copy.
/// Message <c>m</c> of connection <c>c</c> is a window of a fixed pseudo-random block starting at
/// <c>(c·7919 + m·size) mod 65521</c>, with its first (up to) 8 bytes XORed with <c>m</c>. A lost,
/// repeated or reordered message, bytes from another connection, or a corrupted byte all show up
/// as a mismatch at a known message and offset.
/// </summary>
internal sealed class MessagePattern
{
    private const int Period = 65521; // prime: a shift by a whole number of messages never lands on 0 by accident
    private const int StampLength = sizeof(long);

    private readonly byte[] _block;

    public MessagePattern(int messageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageSize, 1);
        MessageSize = messageSize;
        _block = new byte[Period + messageSize];
        ulong state = 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < _block.Length; i++)
        {
            // xorshift64*: fast, deterministic, no runs a server bug could echo by accident
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            _block[i] = (byte)((state * 0x2545F4914F6CDD1DUL) >> 56);
        }
    }

    public int MessageSize { get; }

    /// <summary>Writes bytes [<paramref name="offset"/>, offset + destination.Length) of message <paramref name="sequence"/>.</summary>
    public void Fill(Span<byte> destination, int connection, long sequence, int offset)
    {
        ReadOnlySpan<byte> window = Window(connection, sequence);
        window.Slice(offset, destination.Length).CopyTo(destination);
        if (offset < StampLength)
        {
            Span<byte> stamp = stackalloc byte[StampLength];
            BinaryPrimitives.WriteInt64LittleEndian(stamp, sequence);
            for (int i = offset; i < Math.Min(StampLength, offset + destination.Length); i++)
            {
                destination[i - offset] ^= stamp[i];
            }
        }
    }

    /// <summary>
    /// Checks received bytes against bytes [<paramref name="offset"/>, offset + received.Length) of message
    /// <paramref name="sequence"/>; returns the index in <paramref name="received"/> of the first wrong byte, or -1.
    /// </summary>
    public int FirstMismatch(ReadOnlySpan<byte> received, int connection, long sequence, int offset)
    {
        int stamped = Math.Max(0, Math.Min(StampLength - offset, received.Length));
        if (stamped > 0)
        {
            Span<byte> expected = stackalloc byte[StampLength];
            Fill(expected[..stamped], connection, sequence, offset);
            int i = received[..stamped].CommonPrefixLength(expected[..stamped]);
            if (i < stamped)
            {
                return i;
            }
        }
        ReadOnlySpan<byte> rest = received[stamped..];
        ReadOnlySpan<byte> window = Window(connection, sequence).Slice(offset + stamped, rest.Length);
        int same = rest.CommonPrefixLength(window);
        return same == rest.Length ? -1 : stamped + same;
    }

    /// <summary>The byte message <paramref name="sequence"/> should carry at <paramref name="offset"/> (for error messages).</summary>
    public byte Expected(int connection, long sequence, int offset)
    {
        Span<byte> one = stackalloc byte[1];
        Fill(one, connection, sequence, offset);
        return one[0];
    }

    private ReadOnlySpan<byte> Window(int connection, long sequence)
    {
        long start = ((connection * 7919L % Period) + (sequence % Period * (MessageSize % Period))) % Period;
        return _block.AsSpan((int)start, MessageSize);
    }
}
