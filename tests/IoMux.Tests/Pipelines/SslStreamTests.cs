using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using IoMux.Tests.Transport;

using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Pipelines;

/// <summary>TLS over a connection's stream on every mode: SslStream on both ends, a large echo, close_notify and a bad handshake.</summary>
[Collection(Selectors.Support.NonParallel.Name)]
public sealed class SslStreamTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task An_SslStream_echo_returns_8_MiB_and_closes_with_close_notify(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await using var tls = new SslStream(pipe.AsStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificate.Server });
            await tls.CopyToAsync(tls);
            await tls.ShutdownAsync();
        });
        using Socket socket = server.Connect();
        await using var client = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, TestCertificate.AcceptOnlyOurs);
        await client.AuthenticateAsClientAsync("localhost").WaitAsync(Bound);
        byte[] payload = new byte[8 << 20];
        RandomNumberGenerator.Fill(payload);

        Task sending = Task.Run(async () => await client.WriteAsync(payload));
        byte[] echoed = new byte[payload.Length];
        await client.ReadExactlyAsync(echoed).AsTask().WaitAsync(Bound);
        await sending.WaitAsync(Bound);
        await client.ShutdownAsync(); // close_notify (not while a read runs: OpenSSL's shutdown and read share state): the server's CopyToAsync ends
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echo through TLS differs");
        Assert.Equal(0, await client.ReadAsync(new byte[1]).AsTask().WaitAsync(Bound)); // the server's close_notify, then EOF
    }

    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public async Task A_client_that_does_not_speak_TLS_fails_its_handshake_and_the_next_one_is_served(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        int failures = 0;
        using var server = new PipeTestServer(backend, trigger, model, async pipe =>
        {
            await using var tls = new SslStream(pipe.AsStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificate.Server });
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                Interlocked.Increment(ref failures);
                return;
            }
            await tls.CopyToAsync(tls);
        });
        using (Socket plain = server.Connect())
        {
            plain.Send("GET / HTTP/1.1\r\n\r\n"u8);
            ReadToEnd(plain);
        }
        WaitFor(() => Volatile.Read(ref failures) == 1, "the bad handshake was not refused");

        using Socket socket = server.Connect();
        await using var client = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, TestCertificate.AcceptOnlyOurs);
        await client.AuthenticateAsClientAsync("localhost").WaitAsync(Bound);
        await client.WriteAsync("hello"u8.ToArray());
        byte[] reply = new byte[5];
        await client.ReadExactlyAsync(reply).AsTask().WaitAsync(Bound);
        Assert.Equal("hello"u8.ToArray(), reply);
    }
}
