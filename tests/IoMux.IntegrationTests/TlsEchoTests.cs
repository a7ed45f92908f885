using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoMux.IntegrationTests;

/// <summary>
/// <c>iomux echo --tls-cert</c> and <c>--api pipe</c> as a process: TLS with .NET's SslStream, Python's ssl and openssl
/// s_client as clients, a 64 MiB transfer with a half-close, a client that does not speak TLS, and the certificate
/// forms (PEM with a key file, PEM with the key inside, PFX).
/// </summary>
public sealed class TlsEchoTests : IClassFixture<TlsEchoTests.Certificates>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly Certificates _files;

    public TlsEchoTests(Certificates files)
    {
        _files = files;
    }

    [Theory]
    [InlineData("pem+key")]
    [InlineData("pem with key inside")]
    [InlineData("pfx")]
    public async Task An_SslStream_client_gets_its_bytes_back_and_a_close_notify(string form)
    {
        string[] args = form switch
        {
            "pem+key" => ["--tls-cert", _files.CertificatePem, "--tls-key", _files.KeyPem],
            "pem with key inside" => ["--tls-cert", _files.CombinedPem],
            _ => ["--tls-cert", _files.Pfx],
        };
        using EchoServer server = EchoServer.Start(args);
        Assert.Contains("api pipe, tls", server.StandardOutput, StringComparison.Ordinal);
        using var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate?.GetCertHashString() == _files.Thumbprint);
        await tls.AuthenticateAsClientAsync("localhost").WaitAsync(Bound);
        byte[] payload = RandomNumberGenerator.GetBytes(1 << 20);
        Task sending = tls.WriteAsync(payload).AsTask();
        byte[] echoed = new byte[payload.Length];
        await tls.ReadExactlyAsync(echoed).AsTask().WaitAsync(Bound);
        await sending;
        await tls.ShutdownAsync();
        Assert.Equal(0, await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(Bound));
        Assert.Equal(payload, echoed);
    }

    [ToolFact("python3")]
    public void Python_ssl_sends_64_MiB_half_closes_and_gets_every_byte_back()
    {
        using EchoServer server = EchoServer.Start("--tls-cert", _files.CertificatePem, "--tls-key", _files.KeyPem);
        ToolRun run = ExternalTool.Run("python3", [Path.Combine(AppContext.BaseDirectory, "tls_client.py"), Port(server), (64 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)], bound: Bound);
        Assert.True(run.ExitCode == 0, $"the Python client failed: {run.AllOutput}");
        Assert.Matches(@"^TLSv1\.[23] 67108864 True$", run.Output.Trim());
    }

    [ToolFact("openssl")]
    public void Openssl_s_client_completes_a_handshake()
    {
        using EchoServer server = EchoServer.Start("--tls-cert", _files.CertificatePem, "--tls-key", _files.KeyPem);
        ToolRun run = ExternalTool.Run("openssl", ["s_client", "-connect", $"127.0.0.1:{Port(server)}", "-brief"], input: "", Bound);
        Assert.True(run.ExitCode == 0, $"openssl s_client failed: {run.AllOutput}");
        Assert.Contains("CONNECTION ESTABLISHED", run.AllOutput, StringComparison.Ordinal);
        Assert.Contains("Protocol version: TLSv1.3", run.AllOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_does_not_speak_TLS_costs_one_log_line_and_the_server_keeps_serving()
    {
        using EchoServer server = EchoServer.Start("--tls-cert", _files.CertificatePem, "--tls-key", _files.KeyPem);
        using (var plain = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 60_000 })
        {
            await plain.ConnectAsync(server.EndPoint);
            await plain.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
            byte[] buffer = new byte[256];
            while (await plain.ReceiveAsync(buffer) > 0)
            {
            }
        }
        Assert.True(SpinWait.SpinUntil(() => server.ErrorLines.Any(line => line.Contains("TLS handshake failed", StringComparison.Ordinal)), Bound),
            $"no handshake failure was logged; stderr: {server.StandardError}");
        Assert.Single(server.ErrorLines, line => line.Contains("TLS handshake failed", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", server.StandardError, StringComparison.Ordinal);

        using var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate?.GetCertHashString() == _files.Thumbprint);
        await tls.AuthenticateAsClientAsync("localhost").WaitAsync(Bound);
        await tls.WriteAsync("still serving"u8.ToArray());
        byte[] reply = new byte[13];
        await tls.ReadExactlyAsync(reply).AsTask().WaitAsync(Bound);
        Assert.Equal("still serving"u8.ToArray(), reply);
    }

    [Fact]
    public void The_pipe_echo_returns_16_MiB_and_closes_after_the_client_s_FIN()
    {
        using EchoServer server = EchoServer.Start("--api", "pipe");
        Assert.Contains("api pipe", server.StandardOutput, StringComparison.Ordinal);
        using var client = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 60_000 };
        client.Connect(server.EndPoint);
        byte[] payload = RandomNumberGenerator.GetBytes(16 << 20);
        var flood = new IoMux.Tests.Transport.Flood(client, payload);
        byte[] echoed = new byte[payload.Length];
        for (int got = 0; got < echoed.Length;)
        {
            int n = client.Receive(echoed, got, echoed.Length - got, SocketFlags.None);
            Assert.True(n > 0, $"the echo ended after {got} bytes");
            got += n;
        }
        Assert.True(flood.Join(Bound));
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, client.Receive(new byte[1]));
        Assert.Equal(payload, echoed);
    }

    [Theory]
    [InlineData("unknown API 'soap'", "--api", "soap")]
    [InlineData("--tls-key needs --tls-cert", "--tls-key", "/etc/hostname")]
    [InlineData("--tls-cert /no/such.pem: no such file", "--tls-cert", "/no/such.pem")]
    [InlineData("--tls-cert runs on the pipe API", "--api", "callback", "--tls-cert", "/etc/hostname")]
    [InlineData("--api and --tls-cert do not apply to --udp", "--udp", "--api", "pipe")]
    public void Bad_TLS_and_API_options_exit_2_with_one_line(string expected, params string[] args)
    {
        AssertUsageError(expected, ["echo", .. args]);
    }

    [Fact]
    public void A_PEM_certificate_without_its_key_or_a_file_that_is_neither_PEM_nor_PFX_exits_2_naming_the_file()
    {
        AssertUsageError($"--tls-cert {_files.CertificatePem}:", "echo", "--tls-cert", _files.CertificatePem);
        AssertUsageError("a PEM certificate needs its key", "echo", "--tls-cert", _files.CertificatePem);
        AssertUsageError($"--tls-cert {_files.Junk} is neither a PEM certificate nor a PFX", "echo", "--tls-cert", _files.Junk);
        AssertUsageError("does not match", "echo", "--tls-cert", _files.CertificatePem, "--tls-key", _files.OtherKeyPem);
    }

    private static void AssertUsageError(string expected, params string[] args)
    {
        (int exitCode, string stdout, string stderr) = Cli.Run(Bound, args);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exitCode == 2, $"iomux {string.Join(' ', args)} exited {exitCode}, not 2; stdout: {stdout}; stderr: {stderr}");
        Assert.True(lines.Length == 1, $"iomux {string.Join(' ', args)} wrote {lines.Length} lines to stderr, not one: {stderr}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static string Port(EchoServer server) => server.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A self-signed localhost certificate, made here, written out as PEM files (apart and together) and a PFX.</summary>
    public sealed class Certificates : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("iomux-tls-").FullName;

        public Certificates()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
            using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            Thumbprint = certificate.GetCertHashString();
            CertificatePem = Write("cert.pem", certificate.ExportCertificatePem());
            KeyPem = Write("key.pem", key.ExportPkcs8PrivateKeyPem());
            CombinedPem = Write("combined.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
            Pfx = Path.Combine(_directory, "cert.pfx");
            File.WriteAllBytes(Pfx, certificate.Export(X509ContentType.Pkcs12));
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            OtherKeyPem = Write("other-key.pem", other.ExportPkcs8PrivateKeyPem());
            Junk = Write("junk.bin", "not a certificate");
        }

        public string Thumbprint { get; }

        public string CertificatePem { get; }

        public string KeyPem { get; }

        public string CombinedPem { get; }

        public string Pfx { get; }

        public string OtherKeyPem { get; }

        public string Junk { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private string Write(string name, string text)
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllText(path, text);
            return path;
        }
    }
}
