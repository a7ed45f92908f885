using System.Net.Sockets;

namespace IoMux.Tests.Transport;

/// <summary>
/// Sends a payload on its own thread with blocking sends and no timeout, so a test can watch the server push back
/// (the sender simply stalls) and then read the echo on the test thread while the rest goes out.
/// </summary>
public sealed class Flood
{
    private readonly Thread _thread;
    private int _sent;
    private Exception? _error;

    /// <param name="socket">A connected socket in blocking mode.</param>
    /// <param name="payload">What to send.</param>
    /// <param name="chunk">Bytes per send: <see cref="Sent"/> lags the kernel by at most one chunk.</param>
    public Flood(Socket socket, byte[] payload, int chunk = 64 * 1024)
    {
        _thread = new Thread(() =>
        {
            try
            {
                while (_sent < payload.Length)
                {
                    Volatile.Write(ref _sent, _sent + socket.Send(payload, _sent, Math.Min(chunk, payload.Length - _sent), SocketFlags.None));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _error = e;
            }
        })
        { IsBackground = true, Name = "flood" };
        _thread.Start();
    }

    /// <summary>Bytes the kernel has taken so far (as of the last send that returned).</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Waits for every byte to be taken; false if it has not been by <paramref name="deadline"/>. Rethrows a send's failure.</summary>
    public bool Join(TimeSpan deadline)
    {
        bool done = _thread.Join(deadline);
        if (_error is not null)
        {
            throw new InvalidOperationException($"the flood's send failed after {Sent} bytes: {_error.Message}", _error);
        }
        return done;
    }
}
