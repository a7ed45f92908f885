using IoMux.Transport;

namespace IoMux.Cli.Commands;

/// <summary>The echo protocol: every byte received is written back. Backpressure and half-close are the transport's job.</summary>
internal sealed class EchoHandler : IConnectionHandler
{
    public static readonly EchoHandler Instance = new();

    public void OnConnected(Connection connection)
    {
    }

    public void OnData(Connection connection, ReadOnlySpan<byte> data) => connection.Write(data);

    public void OnWritable(Connection connection)
    {
    }

    public void OnClosed(Connection connection, CloseReason reason)
    {
    }
}
