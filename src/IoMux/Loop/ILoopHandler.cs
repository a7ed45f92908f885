namespace IoMux;

/// <summary>
/// What an <see cref="EventLoop"/> calls when a registered descriptor is ready, or when the handler
/// re-queued itself with <see cref="EventLoop.Requeue"/>. Runs on the loop thread.
/// </summary>
public interface ILoopHandler
{
    void OnReady(Readiness readiness);
}
