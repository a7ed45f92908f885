using IoMux.Transport;

namespace IoMux.AspNetCore;

/// <summary>
/// The IoMux side of a Kestrel connection, from <c>HttpContext.Features</c> or a connection middleware's
/// <c>ConnectionContext.Features</c>: which loop serves it and, once it closed, why. It stands where the Sockets
/// transport's <c>IConnectionSocketFeature</c> does; there is no <see cref="System.Net.Sockets.Socket"/> to hand
/// out, since the loop owns the descriptor and a second reader or writer on it would corrupt the stream.
/// </summary>
public interface IIoMuxConnectionFeature
{
    /// <summary>The transport connection's id (<see cref="Connection.Id"/>), as IoMux's traces and logs name it.</summary>
    long TransportId { get; }

    /// <summary>The loop the connection lives on.</summary>
    EventLoop EventLoop { get; }

    /// <summary>Why the connection closed, once it has; <see langword="null"/> while it is open.</summary>
    CloseReason? CloseReason { get; }
}
