namespace IoMux.Transport;

/// <summary>How a <see cref="TcpServer"/> runs: its connections' options and the listener's own.</summary>
/// <remarks>
/// <see cref="TcpServer.Start"/> checks the options and reads them once: a value out of range makes it throw
/// <see cref="ArgumentOutOfRangeException"/> naming the option, and the server keeps no reference to what changes
/// after it started (it keeps the trace and the logger factory).
/// </remarks>
public sealed class TcpServerOptions : ConnectionOptions
{
    /// <summary>Open connections allowed at once (0: no limit). Connections over it are accepted and closed at once.</summary>
    public int MaxConnections { get; init; }

    /// <summary>Connections one listener accepts in one loop turn before the others get their turn.</summary>
    public int AcceptBudgetPerTurn { get; init; } = 64;

    /// <summary>listen(2) backlog (the kernel caps it at net.core.somaxconn).</summary>
    public int Backlog { get; init; } = 4096;

    /// <summary>How long the listener rests after EMFILE/ENFILE/ENOBUFS when no spare descriptor is left.</summary>
    public TimeSpan AcceptPause { get; init; } = TimeSpan.FromMilliseconds(100);

    internal override void Validate()
    {
        base.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(MaxConnections);
        ArgumentOutOfRangeException.ThrowIfLessThan(AcceptBudgetPerTurn, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(AcceptPause, TimeSpan.Zero);
    }
}
