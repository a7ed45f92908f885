using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IoMux.Pipelines;
using Microsoft.Extensions.Logging;

namespace IoMux.Cli.Commands;

/// <summary>
/// The echo protocol over TLS (<c>iomux echo --tls-cert</c>): <see cref="SslStream"/> over the connection's stream. The
/// client's close_notify (or FIN) ends the echo; the server answers with its own close_notify and a graceful close, so a
/// client that half-closes still reads every echoed byte. A failed handshake is one log line; the server keeps serving.
/// </summary>
internal sealed partial class TlsEcho(X509Certificate2 certificate, ILogger logger)
{
    private readonly SslServerAuthenticationOptions _authentication = new()
    {
        ServerCertificate = certificate,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    public async Task RunAsync(PipeConnection connection, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(connection.AsStream());
        try
        {
            await tls.AuthenticateAsServerAsync(_authentication, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            HandshakeFailed(logger, connection.Id, e.InnerException?.Message ?? e.Message);
            return;
        }
        try
        {
            await tls.CopyToAsync(tls, cancellationToken).ConfigureAwait(false);
            await tls.ShutdownAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The peer reset or the connection closed mid-echo: nothing is left to answer.
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "connection {ConnectionId}: TLS handshake failed ({Reason}); connection closed, others keep being served")]
    private static partial void HandshakeFailed(ILogger logger, long connectionId, string reason);
}
