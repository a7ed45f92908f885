using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoMux.Cli.Commands;

/// <summary>
/// The server certificate for <c>iomux echo --tls-cert</c>: a PEM certificate with its PEM key (from <c>--tls-key</c>, or
/// from the same file), or a PKCS#12 (PFX) file holding both, told apart by content. Every refusal is a usage error
/// naming the file and what to give instead.
/// </summary>
internal static class TlsCertificate
{
    public static X509Certificate2 Load(string certificatePath, string? keyPath)
    {
        if (!File.Exists(certificatePath))
        {
            throw new UsageException($"--tls-cert {certificatePath}: no such file; give a PEM certificate (with --tls-key) or a PFX file");
        }
        if (keyPath is not null && !File.Exists(keyPath))
        {
            throw new UsageException($"--tls-key {keyPath}: no such file; give the PEM private key of --tls-cert");
        }
        X509Certificate2 certificate = IsPem(certificatePath) ? LoadPem(certificatePath, keyPath) : LoadPfx(certificatePath, keyPath);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new UsageException($"--tls-cert {certificatePath} holds no private key; give its key with --tls-key FILE");
        }
        return certificate;
    }

    private static X509Certificate2 LoadPem(string certificatePath, string? keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException e) when (keyPath is null)
        {
            throw new UsageException($"--tls-cert {certificatePath}: {e.Message.TrimEnd('.')}; a PEM certificate needs its key, in the same file or with --tls-key FILE", e);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A key that is not the certificate's comes back as ArgumentException ("does not match the public key").
            throw new UsageException($"--tls-cert {certificatePath} with --tls-key {keyPath}: {e.Message.TrimEnd('.')}; give a PEM certificate and its matching PEM key", e);
        }
    }

    private static X509Certificate2 LoadPfx(string path, string? keyPath)
    {
        if (keyPath is not null)
        {
            throw new UsageException($"--tls-cert {path} is not PEM, so it is read as a PFX, which holds its own key; drop --tls-key, or give a PEM certificate");
        }
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
        }
        catch (CryptographicException e)
        {
            throw new UsageException($"--tls-cert {path} is neither a PEM certificate nor a PFX without a password ({e.Message.TrimEnd('.')}); give a PEM certificate and key, or a PFX", e);
        }
    }

    private static bool IsPem(string path)
    {
        using FileStream file = File.OpenRead(path);
        Span<byte> start = stackalloc byte[256];
        int n = file.Read(start);
        return start[..n].IndexOf("-----BEGIN "u8) >= 0;
    }
}
