using System.Text;
using IoMux.Transport;

namespace LineChat;

/// <summary>
/// Everyone connected, on one loop (so broadcasting is a loop over members, with no locks and no posts). A member
/// whose output queue is at <see cref="MemberQueueLimit"/> is not read from fast enough: lines for it are dropped
/// and counted, and it is told how many once its queue drains — so one slow reader costs at most its limit in
/// memory, and never slows the others down.
/// </summary>
internal sealed class ChatRoom
{
    private readonly List<ChatMember> _members = [];
    private long _dropped;
    private int _deepestQueue;

    public ChatRoom(int memberQueueLimit)
    {
        MemberQueueLimit = memberQueueLimit;
    }

    /// <summary>Queued bytes at which a member gets no more lines until it drains (the server's high watermark).</summary>
    public int MemberQueueLimit { get; }

    /// <summary>Lines not delivered to slow readers, since the room opened. Loop thread.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>The most bytes any member's queue held after a broadcast: what the slowest reader costs. Loop thread.</summary>
    public int DeepestQueue => Volatile.Read(ref _deepestQueue);

    public int Count => _members.Count;

    public void Join(ChatMember member)
    {
        _members.Add(member);
        Broadcast(member, Encoding.UTF8.GetBytes($"* {member.Name} joined ({_members.Count} here)\n"));
    }

    public void Leave(ChatMember member)
    {
        if (_members.Remove(member))
        {
            Broadcast(member, Encoding.UTF8.GetBytes($"* {member.Name} left\n"));
        }
    }

    /// <summary>Sends <paramref name="line"/> (already ending in a newline) to every member but <paramref name="from"/>.</summary>
    public void Broadcast(ChatMember from, ReadOnlySpan<byte> line)
    {
        foreach (ChatMember member in _members)
        {
            if (member == from)
            {
                continue;
            }
            Connection connection = member.Connection;
            if (connection.QueuedBytes >= MemberQueueLimit)
            {
                member.Dropped++;
                Volatile.Write(ref _dropped, _dropped + 1);
                continue;
            }
            connection.Write(line);
            if (connection.QueuedBytes > _deepestQueue)
            {
                Volatile.Write(ref _deepestQueue, connection.QueuedBytes);
            }
        }
    }
}
