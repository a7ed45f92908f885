using System.Diagnostics;

namespace IoMux.Cli.Tests.Commands;

/// <summary>The real <c>iomux</c> process: bad input is one line on stderr and exit code 2, before any work starts.</summary>
public sealed class CliProcessTests
{
    private static (int ExitCode, string Stdout, string Stderr) Iomux(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IoMux.Cli.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "iomux did not exit");
        return (process.ExitCode, stdout.Result, stderr);
    }

    [Theory]
    [InlineData("scale --sizes 64,abc", "iomux: --sizes: 'abc' is not a positive whole number; give a list such as 64,256,1024")]
    [InlineData("scale --backends kqueue", "iomux: --backends: 'kqueue' is not a backend; use epoll, poll, select and/or iouring")]
    [InlineData("scale --runs 0", "iomux: runs 0 is not positive; the median needs at least 1 run (5 is the default)")]
    [InlineData("scale --png /nonexistent-dir/x.png", "iomux: --png: directory '/nonexistent-dir' does not exist; create it or pass another path")]
    [InlineData("demo models --channels 0", "iomux: --channels 0 is out of range; give 1 to 512 (one thread each in the threads model)")]
    [InlineData("demo trigger --quiet-ms 0", "iomux: --quiet-ms 0 is out of range; give 1 to 10000 milliseconds")]
    [InlineData("compare --pin 0:x", "iomux: --pin '0:x': 'x' is not a CPU number or range; give lists such as 0, 0-3 or 0,2 on each side of the colon")]
    [InlineData("echo --io sometimes", "iomux: unknown I/O model 'sometimes'; use --io readiness or completion")]
    [InlineData("echo --backend poll --io completion", "iomux: --io completion does not run on --backend poll: the completion model needs the io_uring backend; poll offers readiness only; use --backend uring, or --io readiness")]
    [InlineData("echo --io completion", "iomux: --io completion does not run on --backend auto: the completion model needs the io_uring backend; epoll offers readiness only; use --backend uring, or --io readiness")]
    [InlineData("echo --backend uring --trigger edge", "iomux: --trigger edge does not apply to the completion model: completions have no readiness to trigger on; omit --trigger (level), or add --io readiness to run readiness on io_uring")]
    [InlineData("echo --backend uring --io completion --trigger oneshot", "iomux: --trigger oneshot does not apply to the completion model: completions have no readiness to trigger on; omit --trigger (level), or add --io readiness to run readiness on io_uring")]
    public void Bad_input_is_one_line_on_stderr_and_exit_code_2(string args, string message)
    {
        (int code, string stdout, string stderr) = Iomux(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal(message, stderr.TrimEnd());
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Scale_writes_a_csv_row_per_cell_and_a_png()
    {
        string dir = Directory.CreateTempSubdirectory("iomux-scale-").FullName;
        try
        {
            (int code, string stdout, _) = Iomux("scale", "--sizes", "16,32", "--active", "1", "--runs", "1", "--writes", "20", "--backends", "epoll,poll", "--triggers", "level", "--out", dir);
            Assert.Equal(0, code);
            Assert.Contains("K=1 poll   level: N=16", stdout, StringComparison.Ordinal);
            Assert.Equal(1 + 4, File.ReadAllLines(Path.Combine(dir, "scale.csv")).Length);
            Assert.True(new FileInfo(Path.Combine(dir, "scale.png")).Length > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Demo_trigger_prints_the_three_outcomes_per_backend()
    {
        (int code, string stdout, _) = Iomux("demo", "trigger", "--quiet-ms", "20");
        Assert.Equal(0, code);
        Assert.Contains("epoll    edge     reported     silent        write 1 more byte: reported", stdout, StringComparison.Ordinal);
        Assert.Contains("select   level    reported     reported      read the other 5 bytes: silent", stdout, StringComparison.Ordinal);
        Assert.Contains("poll     oneshot  reported     silent        re-arm with Modify: reported", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_blocking_shows_the_blocking_read_and_then_EAGAIN()
    {
        (int code, string stdout, _) = Iomux("demo", "blocking", "--delay-ms", "20");
        Assert.Equal(0, code);
        Assert.Contains("returned 1 byte(s) after", stdout, StringComparison.Ordinal);
        Assert.Contains("returned -1, errno EAGAIN", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_models_runs_all_four_models_and_a_child_runs_one_quietly()
    {
        (int code, string stdout, _) = Iomux("demo", "models", "--channels", "2", "--messages", "5", "--no-strace");
        Assert.Equal(0, code);
        foreach (string model in new[] { "threads", "polling", "multiplexing", "async" })
        {
            Assert.Contains($"\n{model} ", stdout.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        Assert.Contains("syscalls: not counted (--no-strace)", stdout, StringComparison.Ordinal);

        (int childCode, string childOut, string childErr) = Iomux("demo", "models", "--child", "multiplexing", "--channels", "2", "--messages", "5");
        Assert.Equal((0, "", ""), (childCode, childOut, childErr));
        Assert.Equal(2, Iomux("demo", "models", "--child", "bogus").ExitCode);
    }
}
