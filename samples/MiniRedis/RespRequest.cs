namespace MiniRedis;

/// <summary>
/// One parsed command: its arguments copied into one reusable arena, so a command costs no allocation once the
/// arena has grown to the largest request seen, and the arguments stay valid after the input is advanced.
/// </summary>
internal sealed class RespRequest
{
    private byte[] _arena = new byte[4096];
    private (int Offset, int Length)[] _args = new (int, int)[16];
    private int _used;

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index] => _arena.AsSpan(_args[index].Offset, _args[index].Length);

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }

    /// <summary>Room for an argument of <paramref name="length"/> bytes, appended after the others.</summary>
    public Span<byte> Add(int length)
    {
        if (_used + length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _used + length));
        }
        if (Count == _args.Length)
        {
            Array.Resize(ref _args, _args.Length * 2);
        }
        _args[Count++] = (_used, length);
        Span<byte> room = _arena.AsSpan(_used, length);
        _used += length;
        return room;
    }

    /// <summary>Drops the last argument's room past <paramref name="length"/> bytes (an inline argument shrinks once its escapes are undone).</summary>
    public void Shrink(int length)
    {
        (int offset, int old) = _args[Count - 1];
        _args[Count - 1] = (offset, length);
        _used -= old - length;
    }
}
