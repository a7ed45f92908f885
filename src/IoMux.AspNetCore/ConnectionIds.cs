namespace IoMux.AspNetCore;

/// <summary>
/// Connection ids in the shape Kestrel's own transports give (13 base-32 characters of a process-wide counter
/// seeded with the clock), so logs and <c>HttpContext.TraceIdentifier</c> read the same on either transport and ids
/// do not repeat across restarts of a process that logs to one place.
/// </summary>
internal static class ConnectionIds
{
    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

    private static long _last = DateTime.UtcNow.Ticks;

    public static string Next()
    {
        long id = Interlocked.Increment(ref _last);
        return string.Create(13, id, static (chars, value) =>
        {
            for (int i = chars.Length - 1; i >= 0; i--)
            {
                chars[i] = Digits[(int)(value & 31)];
                value >>= 5;
            }
        });
    }
}
