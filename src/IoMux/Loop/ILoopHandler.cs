namespace IoMux;

/// <summary>
/// What an <see cref="EventLoop"/> calls when a registered descriptor is ready, or when the handler
/// re-queued itself with <see cref="EventLoop.Requeue"/>. Runs on the loop thread.
/// </summary>
public interface ILoopHandler
{
    /// <summary>
    /// The handler's descriptor is ready, or the handler re-queued itself. An exception thrown here ends
    /// <see cref="EventLoop.Run"/>.
    /// </summary>
    /// <param name="readiness">What is ready, masked to what the registration asks for (or what was re-queued).</param>
    void OnReady(Readiness readiness);
}
