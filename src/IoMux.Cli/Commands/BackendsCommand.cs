using System.CommandLine;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>iomux backends</c>: which selector backends this machine has, and what each can do: its trigger modes, and
/// the I/O models an event loop on it can serve (asked of <see cref="EventLoop.IsAvailable"/>, the library's one answer).
/// </summary>
internal static class BackendsCommand
{
    public static Command Create()
    {
        var command = new Command("backends", "List the selector backends, whether this kernel allows each, their trigger modes and I/O models");
        command.SetAction(_ =>
        {
            Console.WriteLine($"{"backend",-8} {"available",-10} {"triggers",-24} {"io models",-21} limits");
            foreach (SelectorBackend backend in new[] { SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select, SelectorBackend.IoUring })
            {
                Console.WriteLine(Describe(backend));
            }
            Console.WriteLine($"auto     = {Resolve(SelectorBackend.Auto)}");
            return 0;
        });
        return command;
    }

    private static string Name(SelectorBackend backend) =>
        backend == SelectorBackend.IoUring ? "io_uring" : backend.ToString().ToLowerInvariant();

    private static string Resolve(SelectorBackend backend)
    {
        using Selector selector = Selector.Create(backend);
        return Name(selector.Backend);
    }

    /// <summary>
    /// The models a loop on <paramref name="backend"/> serves here; on io_uring a refused completion model says why,
    /// since only there is it a property of this kernel rather than of the backend.
    /// </summary>
    private static string IoModels(SelectorBackend backend)
    {
        string models = string.Join(",", Enum.GetValues<IoModel>().Where(m => EventLoop.IsAvailable(m, backend, out _)).Select(m => m.ToString().ToLowerInvariant()));
        return backend == SelectorBackend.IoUring && !EventLoop.IsAvailable(IoModel.Completion, backend, out string? reason)
            ? $"{models} (completion: {reason})"
            : models;
    }

    private static string Describe(SelectorBackend backend)
    {
        string name = Name(backend);
        string limits = backend switch
        {
            SelectorBackend.Select => "descriptors < 1024 (FD_SETSIZE); O(highest fd) per wait",
            SelectorBackend.Poll => "no descriptor limit; O(registered) per wait",
            SelectorBackend.IoUring => "no descriptor limit; O(ready) per wait; changes batched into the wait's io_uring_enter",
            _ => "no descriptor limit; O(ready) per wait",
        };
        if (!Selector.IsAvailable(backend, out string? reason))
        {
            return $"{name,-8} {"no",-10} {"-",-24} {"-",-21} {reason}";
        }
        try
        {
            using Selector selector = Selector.Create(backend);
            string triggers = string.Join(",", Enum.GetValues<Trigger>().Where(selector.Supports).Select(t => t.ToString().ToLowerInvariant()));
            return $"{name,-8} {"yes",-10} {triggers,-24} {IoModels(backend),-21} {limits}";
        }
        catch (IOException e)
        {
            return $"{name,-8} {"no",-10} {"-",-24} {"-",-21} {e.Message}";
        }
    }
}
