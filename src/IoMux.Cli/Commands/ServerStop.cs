using System.Runtime.InteropServices;

namespace IoMux.Cli.Commands;

/// <summary>
/// What a serving command (echo, proxy) waits for before it drains and exits: SIGINT or SIGTERM, or a loop of its
/// group failing (said on stderr in the command's name). Create it before the listening line is printed, so a signal
/// that arrives once the line is out finds the handlers in place.
/// </summary>
internal sealed class ServerStop : IDisposable
{
    private readonly ManualResetEventSlim _stop = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private volatile bool _faulted;

    public ServerStop()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>A loop failed: the command stops, skips the drain and exits with 1.</summary>
    public bool Faulted => _faulted;

    /// <summary>Stops the command when a loop of <paramref name="group"/> fails, saying so as <paramref name="command"/>.</summary>
    public void Watch(EventLoopGroup group, TextWriter errors, string command) => group.Faulted += (_, e) =>
    {
        errors.WriteLine($"{command}: an event loop failed: {e.Message}");
        _faulted = true;
        _stop.Set();
    };

    public void Wait() => _stop.Wait();

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the command exits on its own, after the drain
        _stop.Set();
    }
}
