namespace IoMux.AspNetCore;

/// <summary>
/// The loops every listener of one transport factory shares: started with the first bind, disposed with the last
/// listener, so a server with several endpoints (localhost's IPv4 and IPv6, a TCP port and a Unix socket) runs one
/// set of loop threads, and a server that stopped leaves none behind.
/// </summary>
internal sealed class LoopGroupLease(IoMuxTransportOptions options)
{
    private readonly Lock _lock = new();
    private EventLoopGroup? _group;
    private int _holders;

    public EventLoopGroup Acquire()
    {
        lock (_lock)
        {
            if (_group is null)
            {
                if (options.LoopCount < 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), options.LoopCount, "IoMuxTransportOptions.LoopCount must be at least 1");
                }
                var group = new EventLoopGroup(options.LoopCount, options.EffectiveBackend);
                try
                {
                    group.Start();
                }
                catch
                {
                    group.Dispose();
                    throw;
                }
                _group = group;
            }
            _holders++;
            return _group;
        }
    }

    public void Release()
    {
        EventLoopGroup? last = null;
        lock (_lock)
        {
            if (--_holders == 0)
            {
                last = _group;
                _group = null;
            }
        }
        last?.Dispose();
    }
}
