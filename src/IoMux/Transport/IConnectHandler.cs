namespace IoMux.Transport;

/// <summary>
/// A handler for <see cref="Connector.Connect"/>, the callback form: told <see cref="IConnectionHandler.OnConnected"/>
/// when the connect succeeds — then it is an ordinary connection's handler — or <see cref="OnConnectFailed"/>, once,
/// when it does not (and then nothing else). Called on the connector's loop thread.
/// </summary>
public interface IConnectHandler : IConnectionHandler
{
    /// <summary>The connect failed; no connection was made and no other method of this handler is called for it.</summary>
    /// <param name="exception">What failed: <see cref="ConnectException.Error"/> to switch on, a one-line message to log.</param>
    void OnConnectFailed(ConnectException exception);
}
