using System.Diagnostics;

namespace MiniRedis;

/// <summary>
/// The keyspace: string values with an optional expiry. Expired keys are dropped when touched, and a sweep that
/// a timer runs drops the rest, so keys set with EX/PX and never read again do not hold memory. One lock: every
/// command is a few dictionary operations, and connections on several loops (or the thread pool) share the store.
/// </summary>
internal sealed class Store
{
    private readonly Dictionary<byte[], Entry> _entries = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    public Store()
    {
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public Lock Sync { get; } = new();

    public int Count
    {
        get
        {
            lock (Sync)
            {
                return _entries.Count;
            }
        }
    }

    public static long Now => Stopwatch.GetTimestamp();

    /// <summary>The live value of <paramref name="key"/>, or false. Caller holds <see cref="Sync"/>.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        if (_bySpan.TryGetValue(key, out Entry entry))
        {
            if (entry.ExpiresAt == 0 || entry.ExpiresAt > Now)
            {
                value = entry.Value;
                return true;
            }
            _bySpan.Remove(key);
        }
        value = [];
        return false;
    }

    /// <summary>Sets <paramref name="key"/>; <paramref name="expiresAt"/> is a <see cref="Now"/> timestamp, or 0 for never. Caller holds <see cref="Sync"/>.</summary>
    public void Set(ReadOnlySpan<byte> key, byte[] value, long expiresAt) => _bySpan[key] = new Entry(value, expiresAt);

    /// <summary>When the live <paramref name="key"/> expires (a <see cref="Now"/> timestamp, 0 for never). Caller holds <see cref="Sync"/>.</summary>
    public long ExpiryOf(ReadOnlySpan<byte> key) => _bySpan.TryGetValue(key, out Entry entry) ? entry.ExpiresAt : 0;

    /// <summary>Caller holds <see cref="Sync"/>.</summary>
    public bool Remove(ReadOnlySpan<byte> key) => TryGet(key, out _) && _bySpan.Remove(key);

    /// <summary>Drops every expired key.</summary>
    public void Sweep()
    {
        lock (Sync)
        {
            long now = Now;
            foreach (KeyValuePair<byte[], Entry> pair in _entries)
            {
                if (pair.Value.ExpiresAt != 0 && pair.Value.ExpiresAt <= now)
                {
                    _entries.Remove(pair.Key); // removing while enumerating is allowed for Dictionary since .NET Core 3.0
                }
            }
        }
    }

    private readonly record struct Entry(byte[] Value, long ExpiresAt);
}
