using System.Text;
using IoMux.Transport;

namespace LineChat;

/// <summary>
/// One member, on the callback API: bytes arrive in <see cref="OnData"/> as they come, in pieces of any size; a line
/// is broadcast once its newline arrives. A partial line is kept (at most <see cref="MaxLine"/> bytes, so a client
/// that never sends a newline cannot grow memory either).
/// </summary>
internal sealed class ChatMember(ChatRoom room, Connection connection) : IConnectionHandler
{
    public const int MaxLine = 4096;

    private readonly byte[] _line = new byte[MaxLine + 1];
    private int _length;
    private int _prefix;

    public Connection Connection { get; } = connection;

    public string Name { get; } = $"guest{connection.Id}";

    /// <summary>Lines this member missed while its queue was full; reported and reset when it drains.</summary>
    public long Dropped { get; set; }

    public void OnConnected(Connection connection)
    {
        connection.Write(Encoding.UTF8.GetBytes($"* welcome, {Name}; {room.Count} others here\n"));
        _prefix = Encoding.UTF8.GetBytes(Name + ": ", _line);
        _length = _prefix;
        room.Join(this);
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int newline = data.IndexOf((byte)'\n');
            ReadOnlySpan<byte> piece = newline < 0 ? data : data[..newline];
            if (_length + piece.Length > MaxLine)
            {
                connection.Write("* line too long; goodbye\n"u8);
                connection.Close();
                return;
            }
            piece.CopyTo(_line.AsSpan(_length));
            _length += piece.Length;
            if (newline < 0)
            {
                return;
            }
            _line[_length++] = (byte)'\n';
            room.Broadcast(this, _line.AsSpan(0, _length));
            _length = _prefix;
            data = data[(newline + 1)..];
        }
    }

    public void OnWritable(Connection connection)
    {
        if (Dropped > 0)
        {
            connection.Write(Encoding.UTF8.GetBytes($"* {Dropped} lines dropped while you were not reading\n"));
            Dropped = 0;
        }
    }

    public void OnClosed(Connection connection, CloseReason reason) => room.Leave(this);
}
