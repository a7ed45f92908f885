namespace IoMux.Cli.LoadGen;

/// <summary>Counts errors from every worker and keeps the first few messages. Errors are rare: a lock is fine.</summary>
internal sealed class ErrorLog
{
    private const int Kept = 10;

    private readonly Lock _lock = new();
    private readonly List<string> _messages = [];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(string message)
    {
        Interlocked.Increment(ref _count);
        lock (_lock)
        {
            if (_messages.Count < Kept)
            {
                _messages.Add(message);
            }
        }
    }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }
}
