using System.Diagnostics;
using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary><c>iomux compare --pin</c>: what it accepts, and that every thread of a real process tree lands on the CPUs asked for.</summary>
public sealed class CpuPinningTests
{
    private static readonly int[] FourCpus = [0, 1, 2, 3];

    [Theory]
    [InlineData("0:1", new[] { 0 }, new[] { 1 })]
    [InlineData("0:1-3", new[] { 0 }, new[] { 1, 2, 3 })]
    [InlineData("2,0:3,1", new[] { 0, 2 }, new[] { 1, 3 })]
    [InlineData("0-1:2-2", new[] { 0, 1 }, new[] { 2 })]
    public void A_cpu_list_on_each_side_of_the_colon_is_read_as_taskset_reads_it(string text, int[] client, int[] servers)
    {
        CpuPinning pinning = CpuPinning.Parse(text, FourCpus);
        Assert.Equal(client, pinning.Client);
        Assert.Equal(servers, pinning.Servers);
    }

    [Theory]
    [InlineData("1", "--pin '1' is not CLIENT:SERVER; give two CPU lists, e.g. --pin 0:1")]
    [InlineData("0:1:2", "--pin '0:1:2' is not CLIENT:SERVER; give two CPU lists, e.g. --pin 0:1")]
    [InlineData("0:x", "--pin '0:x': 'x' is not a CPU number or range; give lists such as 0, 0-3 or 0,2 on each side of the colon")]
    [InlineData(":1", "--pin ':1': '' is not a CPU number or range; give lists such as 0, 0-3 or 0,2 on each side of the colon")]
    [InlineData("0:-1", "--pin '0:-1': '-1' is not a CPU number or range; give lists such as 0, 0-3 or 0,2 on each side of the colon")]
    [InlineData("0:3-1", "--pin '0:3-1': range '3-1' runs backwards; write it lowest first")]
    [InlineData("0:4", "--pin '0:4': CPU 4 is not one this process may use (0,1,2,3); pick from those")]
    [InlineData("0-1:1-2", "--pin '0-1:1-2' puts CPU 1 on both sides; the servers must not share a CPU with their client")]
    public void Bad_pinning_is_refused_with_a_message_naming_the_fix(string text, string message)
    {
        var error = Assert.Throws<UsageException>(() => CpuPinning.Parse(text, FourCpus));
        Assert.Equal(message, error.Message);
    }

    [MultiCpuFact]
    public void Every_thread_of_a_process_and_of_its_children_moves_onto_the_cpus()
    {
        int target = CpuPinning.Allowed().Last();
        // A process with a second thread and a child of its own, each waiting to be looked at.
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "import subprocess, sys, threading\n" +
            "threading.Thread(target=sys.stdin.readline, daemon=True).start()\n" +
            "child = subprocess.Popen(['sleep', '60'])\n" +
            "print(child.pid, flush=True)\n" +
            "sys.stdin.readline()\n" +
            "child.kill()\n");
        using Process python = Process.Start(start)!;
        try
        {
            int child = int.Parse(python.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);

            int moved = CpuPinning.PinProcessTree(python.Id, [target]);

            string[] tasks = [.. Directory.GetDirectories($"/proc/{python.Id}/task"), .. Directory.GetDirectories($"/proc/{child}/task")];
            Assert.True(tasks.Length >= 3, $"expected python's two threads and its child, found {tasks.Length} tasks");
            Assert.Equal(tasks.Length, moved);
            Assert.All(tasks, task => Assert.Contains($"Cpus_allowed_list:\t{target}\n", File.ReadAllText(Path.Combine(task, "status")), StringComparison.Ordinal));
        }
        finally
        {
            python.StandardInput.WriteLine();
            python.StandardInput.WriteLine();
            if (!python.WaitForExit(10_000))
            {
                python.Kill(entireProcessTree: true);
            }
        }
    }
}

/// <summary>A test that moves processes between CPUs; skipped, saying so, where this process may use only one.</summary>
public sealed class MultiCpuFactAttribute : FactAttribute
{
    public MultiCpuFactAttribute()
    {
        int count = CpuPinning.Allowed().Count;
        if (count < 2)
        {
            Skip = $"this process may use {count} CPU; pinning a client and a server apart needs two";
        }
    }
}
