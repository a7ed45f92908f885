using IoMux.Pipelines;

namespace IoMux.Cli.Commands;

/// <summary>
/// The echo protocol on the pipe API (<c>iomux echo --api pipe</c>): what the input pipe yields is copied into the output
/// pipe until the peer's FIN; returning then sends the rest and closes. The same bytes as <see cref="EchoHandler"/>, so
/// comparing the two measures the adapter.
/// </summary>
internal static class PipeEcho
{
    public static Task RunAsync(PipeConnection connection, CancellationToken cancellationToken) =>
        connection.Input.CopyToAsync(connection.Output, cancellationToken);
}
