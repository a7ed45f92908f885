namespace IoMux.Transport;

/// <summary>A failure the handler learns of outside its own callbacks, closed the way a callback's exception is.</summary>
public sealed partial class Connection
{
    /// <summary>
    /// Closes with <see cref="CloseReason.HandlerFailed"/>, keeping <paramref name="error"/> in <see cref="HandlerException"/>
    /// and logging it as a handler's exception: for an application whose work runs after its callbacks returned (an async
    /// application's task that faulted). Inside a callback, when it returns. Loop thread; a closed connection ignores it.
    /// </summary>
    internal void Fail(Exception error)
    {
        if (_state == ConnectionState.Closed)
        {
            return;
        }
        HandlerFailed(error);
        if (!_inCallback)
        {
            EndCallback(outer: false);
        }
    }
}
