using System.Globalization;
using IoMux.Cli.Interop;

namespace IoMux.Cli.Compare;

/// <summary>
/// <c>--pin CLIENT:SERVER</c>: the load generator on one set of CPUs and every server, each in its turn, on another.
/// Unpinned, a server that now and then lands on its client's CPU sleeps and wakes far more often per message than
/// one that does not, and that moves its user time more than anything in its code does; pinned, every server sees
/// the same client.
/// </summary>
internal sealed record CpuPinning(IReadOnlyList<int> Client, IReadOnlyList<int> Servers)
{
    /// <summary>Reads <c>CLIENT:SERVER</c>, each a CPU list as taskset takes it (<c>0</c>, <c>0-3</c>, <c>0,2</c>), against the CPUs this process may use.</summary>
    public static CpuPinning Parse(string text, IReadOnlyCollection<int> allowed)
    {
        string[] sides = text.Split(':');
        if (sides.Length != 2)
        {
            throw new UsageException($"--pin '{text}' is not CLIENT:SERVER; give two CPU lists, e.g. --pin 0:1");
        }
        int[] client = CpuList(sides[0], text, allowed);
        int[] servers = CpuList(sides[1], text, allowed);
        if (client.Intersect(servers).FirstOrDefault(-1) is int shared and >= 0)
        {
            throw new UsageException($"--pin '{text}' puts CPU {shared} on both sides; the servers must not share a CPU with their client");
        }
        return new CpuPinning(client, servers);
    }

    /// <summary>One sentence for reports: where the client and the servers ran.</summary>
    public string Describe() => $"Pinned: the load generator on {Cpus(Client)}, each server on {Cpus(Servers)} (every thread).";

    /// <summary>"CPU 1" or "CPUs 2,3".</summary>
    public static string Cpus(IReadOnlyList<int> cpus) => (cpus.Count == 1 ? "CPU " : "CPUs ") + Format(cpus);

    /// <summary>
    /// Moves every thread of process <paramref name="pid"/> and of its descendants onto <paramref name="cpus"/>; returns
    /// how many threads it moved. Threads started later inherit the mask from the thread that starts them, so passes
    /// repeat until one finds no thread it has not yet moved.
    /// </summary>
    public static int PinProcessTree(int pid, IReadOnlyCollection<int> cpus)
    {
        var moved = new HashSet<int>();
        bool found;
        do
        {
            found = false;
            foreach (int tid in TasksOf(pid))
            {
                if (!moved.Contains(tid) && Affinity.TrySet(tid, cpus))
                {
                    moved.Add(tid);
                    found = true;
                }
            }
        }
        while (found);
        return moved.Count;
    }

    /// <summary>The CPU numbers this process may run on now.</summary>
    public static IReadOnlyCollection<int> Allowed() => Affinity.Get(0);

    private static string Format(IReadOnlyList<int> cpus) => string.Join(',', cpus);

    private static IEnumerable<int> TasksOf(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (DirectoryNotFoundException)
        {
            yield break; // the process exited
        }
        foreach (string task in tasks)
        {
            int tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
            yield return tid;
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue; // the thread exited, or the kernel has no children file
            }
            foreach (string child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (int descendant in TasksOf(int.Parse(child, CultureInfo.InvariantCulture)))
                {
                    yield return descendant;
                }
            }
        }
    }

    private static int[] CpuList(string list, string text, IReadOnlyCollection<int> allowed)
    {
        var cpus = new SortedSet<int>();
        foreach (string part in list.Split(','))
        {
            string[] range = part.Split('-');
            if (range.Length is < 1 or > 2 || !range.All(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw new UsageException($"--pin '{text}': '{part}' is not a CPU number or range; give lists such as 0, 0-3 or 0,2 on each side of the colon");
            }
            int first = int.Parse(range[0], CultureInfo.InvariantCulture);
            int last = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (last < first)
            {
                throw new UsageException($"--pin '{text}': range '{part}' runs backwards; write it lowest first");
            }
            for (int cpu = first; cpu <= last; cpu++)
            {
                if (!allowed.Contains(cpu))
                {
                    throw new UsageException($"--pin '{text}': CPU {cpu} is not one this process may use ({Format([.. allowed])}); pick from those");
                }
                cpus.Add(cpu);
            }
        }
        return [.. cpus];
    }
}
