using System.Net;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// A connect failed. <see cref="Error"/> says how (switch on it); the message is one line naming the address and the
/// cause, e.g. <c>connect to 127.0.0.1:9 refused (ECONNREFUSED): nothing listens there</c>.
/// </summary>
public sealed class ConnectException : IOException
{
    /// <summary>Creates the exception; the message names <paramref name="remoteEndPoint"/> and says what happened.</summary>
    /// <param name="error">How the connect failed.</param>
    /// <param name="remoteEndPoint">The address that was being connected to, as the caller gave it.</param>
    /// <param name="errno">The errno the kernel answered, or <see langword="null"/> when none did (a timeout of ours, a cancel, a name).</param>
    /// <param name="message">The one-line message.</param>
    /// <param name="innerException">What caused it (the resolver's exception, say), or <see langword="null"/>.</param>
    public ConnectException(ConnectError error, EndPoint? remoteEndPoint, Errno? errno, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        RemoteEndPoint = remoteEndPoint;
        Errno = errno;
        if (errno is { } value)
        {
            HResult = (int)value;
        }
    }

    /// <summary>Creates the exception with a generic message (<see cref="ConnectError.Other"/>, no address).</summary>
    public ConnectException() : this(ConnectError.Other, null, null, "connect failed") { }

    /// <summary>Creates the exception with <paramref name="message"/> (<see cref="ConnectError.Other"/>, no address).</summary>
    /// <param name="message">The message that describes the error.</param>
    public ConnectException(string message) : this(ConnectError.Other, null, null, message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause (<see cref="ConnectError.Other"/>, no address).</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ConnectException(string message, Exception innerException) : this(ConnectError.Other, null, null, message, innerException) { }

    /// <summary>How the connect failed.</summary>
    public ConnectError Error { get; }

    /// <summary>The address that was being connected to, as the caller gave it (a <see cref="DnsEndPoint"/> stays one).</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The errno the kernel answered, or <see langword="null"/>.</summary>
    public Errno? Errno { get; }
}
