using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IoMux.AspNetCore.Tests;

/// <summary>
/// HTTPS through Kestrel's own TLS (<c>UseHttps</c>, a connection middleware over the transport's pipes): HTTP/1.1
/// and HTTP/2 chosen by ALPN, a body bigger than many TLS records both ways, and curl as a client no one here wrote.
/// </summary>
public sealed class TlsTests
{
    private static readonly Lazy<X509Certificate2> Certificate = new(CreateCertificate);

    private static Task<TestApp> StartAsync(string mode) => TestApp.StartAsync(mode, web =>
    {
        web.MapGet("/plaintext", () => "Hello, World!");
        web.MapGet("/version", (HttpContext context) => $"{context.Request.Protocol} {context.Request.Scheme}");
        web.MapPost("/echo", async (HttpContext context) =>
        {
            // Read it all first: HttpClient reads no response until its request body is sent, so an echo that streams
            // back a body larger than the flow-control windows would stall on any transport.
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
        });
    }, listen: options =>
    {
        options.Protocols = HttpProtocols.Http1AndHttp2;
        options.UseHttps(Certificate.Value);
    });

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task HttpsServesHttp1AndHttp2ChosenByAlpn(string mode)
    {
        await using TestApp app = await StartAsync(mode);
        Assert.Equal("https", app.Address.Scheme);
        foreach (Version version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using HttpClient client = TrustingClient(app, version);
            Assert.Equal($"HTTP/{(version == HttpVersion.Version11 ? "1.1" : "2")} https", await client.GetStringAsync("version"));
            Assert.StartsWith("iomux ", await client.GetStringAsync("transport"), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task AOneMebibyteBodyIsEchoedWholeOverTls(string mode)
    {
        await using TestApp app = await StartAsync(mode);
        using HttpClient client = TrustingClient(app, HttpVersion.Version20);
        byte[] body = RandomNumberGenerator.GetBytes(1 << 20);
        using HttpResponseMessage response = await client.PostAsync("echo", new ByteArrayContent(body));
        response.EnsureSuccessStatusCode();
        byte[] echoed = await response.Content.ReadAsByteArrayAsync();
        Assert.True(body.AsSpan().SequenceEqual(echoed), $"the echoed body ({echoed.Length} bytes) differs from the {body.Length} sent");
    }

    [ToolTheory("curl")]
    [MemberData(nameof(Transports.Main), MemberType = typeof(Transports))]
    public async Task CurlNegotiatesHttp2OverTls(string mode)
    {
        await using TestApp app = await StartAsync(mode);
        // -k: the certificate is made by this test; what is checked is the TLS session and ALPN, not the trust chain.
        (int exitCode, string output, string errors) = await ExternalTool.RunAsync("curl", "-sS", "-k", "--http2", "-w", " %{http_version} %{http_code}", $"{app.Address}plaintext");
        Assert.True(exitCode == 0, $"curl exited with {exitCode}: {errors}");
        Assert.Equal("Hello, World! 2 200", output);
    }

    private static HttpClient TrustingClient(TestApp app, Version version)
    {
        string thumbprint = Certificate.Value.Thumbprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust exactly the certificate this test made, nothing else.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 presented && presented.Thumbprint == thumbprint,
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = app.Address,
            Timeout = TimeSpan.FromSeconds(60),
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the key in a form SslStream can use on Linux: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
