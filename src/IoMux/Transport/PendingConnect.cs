namespace IoMux.Transport;

/// <summary>
/// A connect started with <see cref="Connector.Connect"/> that may still be under way; <see cref="Cancel"/> gives it
/// up. A plain value: keeping or dropping it costs nothing, and once the connect finished it refers to nothing.
/// </summary>
public readonly struct PendingConnect : IEquatable<PendingConnect>
{
    private readonly ConnectAttempt? _attempt;
    private readonly uint _generation;

    internal PendingConnect(ConnectAttempt attempt, uint generation)
    {
        _attempt = attempt;
        _generation = generation;
    }

    /// <summary>True while the connect is under way (loop thread).</summary>
    public bool IsPending => _attempt is not null && _attempt.IsUnderWay(_generation);

    /// <summary>
    /// Gives the connect up: its handler is told <see cref="IConnectHandler.OnConnectFailed"/> with
    /// <see cref="ConnectError.Cancelled"/> — at once, or on io_uring once the kernel let go of the request. Loop
    /// thread only; does nothing once the connect finished.
    /// </summary>
    /// <returns><see langword="true"/> when the connect was under way and is now being given up.</returns>
    public bool Cancel() => _attempt is not null && _attempt.Cancel(_generation);

    /// <inheritdoc/>
    public bool Equals(PendingConnect other) => ReferenceEquals(_attempt, other._attempt) && _generation == other._generation;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PendingConnect other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_attempt, _generation);

    /// <summary>Whether two values name the same connect.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when both name the same connect.</returns>
    public static bool operator ==(PendingConnect left, PendingConnect right) => left.Equals(right);

    /// <summary>Whether two values name different connects.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(PendingConnect left, PendingConnect right) => !left.Equals(right);
}
