using IoMux.Native;

namespace IoMux.Cli.UdpLoad;

/// <summary>What one client loop counted, each outcome separately; merged once the loops have stopped.</summary>
internal sealed class UdpLoadTally
{
    public long Sent;
    public long Received;
    public long Lost;
    public long Duplicated;
    public long Reordered;
    public long Late;
    public long Corrupt;
    public long Errors;

    public List<string> Messages { get; } = [];

    public void NoteCorrupt(int client, int length, int size)
    {
        if (Messages.Count < 5)
        {
            Messages.Add($"client {client}: an answer of {length} bytes (sent {size}) did not match any datagram it sent");
        }
    }

    public void NoteError(Errno errno)
    {
        Errors++;
        if (Messages.Count < 5)
        {
            Messages.Add($"socket error {errno} (the server's port closed?)");
        }
    }

    public void Add(UdpLoadTally other)
    {
        Sent += other.Sent;
        Received += other.Received;
        Lost += other.Lost;
        Duplicated += other.Duplicated;
        Reordered += other.Reordered;
        Late += other.Late;
        Corrupt += other.Corrupt;
        Errors += other.Errors;
        foreach (string message in other.Messages)
        {
            if (Messages.Count < 5)
            {
                Messages.Add(message);
            }
        }
    }
}
