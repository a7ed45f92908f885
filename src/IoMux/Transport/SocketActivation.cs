using System.Globalization;
using System.Net.Sockets;
using IoMux.Native;

namespace IoMux.Transport;

/// <summary>
/// Listening sockets handed to this process by systemd socket activation (or <c>systemd-socket-activate</c>, or any
/// supervisor that follows the protocol): <c>LISTEN_PID</c> names the process they are for, <c>LISTEN_FDS</c> how
/// many there are, starting at descriptor 3, and <c>LISTEN_FDNAMES</c> their names, colon-separated. Serve each
/// with <see cref="TcpServer.StartOnListener"/>.
/// </summary>
public static class SocketActivation
{
    /// <summary>The first descriptor the protocol passes (after stdin, stdout and stderr).</summary>
    public const int FirstDescriptor = 3;

    private const string FdsVariable = "LISTEN_FDS";
    private const string PidVariable = "LISTEN_PID";
    private const string NamesVariable = "LISTEN_FDNAMES";

    /// <summary>
    /// Takes the sockets passed to this process: each is marked close-on-exec and owned by its
    /// <see cref="ActivatedSocket.Handle"/>, and the three variables are cleared, so a program this process starts
    /// neither inherits the sockets nor believes they are its own. Empty when none were passed, or when they were
    /// passed to another process (<c>LISTEN_PID</c> is not this one). Whether each is a listening stream socket is
    /// checked when it is served.
    /// </summary>
    /// <returns>The sockets in descriptor order, each with its name (<c>unknown</c> when none was given).</returns>
    /// <exception cref="InvalidOperationException">The variables are malformed (not numbers, or a name count that does not match); the message quotes them.</exception>
    public static IReadOnlyList<ActivatedSocket> TakeListeners()
    {
        IReadOnlyList<(int Fd, string Name)> passed = Parse(
            Environment.GetEnvironmentVariable(FdsVariable),
            Environment.GetEnvironmentVariable(PidVariable),
            Environment.GetEnvironmentVariable(NamesVariable),
            Environment.ProcessId);
        Environment.SetEnvironmentVariable(FdsVariable, null);
        Environment.SetEnvironmentVariable(PidVariable, null);
        Environment.SetEnvironmentVariable(NamesVariable, null);
        var sockets = new ActivatedSocket[passed.Count];
        for (int i = 0; i < passed.Count; i++)
        {
            (int fd, string name) = passed[i];
            sockets[i] = new ActivatedSocket(fd, name, new SafeSocketHandle(fd, ownsHandle: true));
            try
            {
                Sockets.SetCloseOnExec(fd);
            }
            catch (SyscallException e) when (e.Errno == Errno.EBADF)
            {
                throw new InvalidOperationException($"{FdsVariable}={passed.Count} says descriptor {fd} was passed, but it is not open", e);
            }
        }
        return sockets;
    }

    /// <summary>The protocol's variables read as (descriptor, name) pairs; empty when they are absent or meant for another process.</summary>
    internal static IReadOnlyList<(int Fd, string Name)> Parse(string? fds, string? pid, string? names, int processId)
    {
        if (string.IsNullOrEmpty(fds))
        {
            return [];
        }
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int forPid))
        {
            throw new InvalidOperationException($"{PidVariable}='{pid}' is not a process id; socket activation sets it to the id of the process the sockets are for");
        }
        if (forPid != processId)
        {
            return [];
        }
        if (!int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count > 65536)
        {
            throw new InvalidOperationException($"{FdsVariable}='{fds}' is not a count of descriptors");
        }
        string[] given = string.IsNullOrEmpty(names) ? [] : names.Split(':');
        if (given.Length != 0 && given.Length != count)
        {
            throw new InvalidOperationException($"{NamesVariable}='{names}' names {given.Length} sockets but {FdsVariable}={count}; give one name per descriptor");
        }
        var passed = new (int, string)[count];
        for (int i = 0; i < count; i++)
        {
            passed[i] = (FirstDescriptor + i, given.Length == 0 || given[i].Length == 0 ? "unknown" : given[i]);
        }
        return passed;
    }
}

/// <summary>A socket passed by socket activation: its descriptor, its name (<c>LISTEN_FDNAMES</c>), and the handle that owns it.</summary>
public sealed class ActivatedSocket
{
    internal ActivatedSocket(int fd, string name, SafeSocketHandle handle)
    {
        Fd = fd;
        Name = name;
        Handle = handle;
    }

    /// <summary>The descriptor number (3 and up).</summary>
    public int Fd { get; }

    /// <summary>The name the activator gave it, or <c>unknown</c>.</summary>
    public string Name { get; }

    /// <summary>Owns the descriptor: disposing it closes the socket (a server serving it keeps its own duplicates).</summary>
    public SafeSocketHandle Handle { get; }

    /// <inheritdoc/>
    public override string ToString() => $"fd {Fd} ({Name})";
}
