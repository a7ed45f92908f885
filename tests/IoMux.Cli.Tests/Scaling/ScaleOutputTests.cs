using IoMux.Cli.Scaling;

namespace IoMux.Cli.Tests.Scaling;

public sealed class ScaleOutputTests
{
    private static readonly ScaleReport Report = new(1024, 20000, [64, 2048],
        ["note"],
        [
            Row(SelectorBackend.Epoll, 64, 1, 100), Row(SelectorBackend.Epoll, 2048, 1, 110),
            Row(SelectorBackend.Poll, 64, 1, 300), Row(SelectorBackend.Poll, 2048, 1, 9000),
            new ScaleRow(SelectorBackend.Select, Trigger.Level, 2048, 1, 1000, [], "select N=2048: skipped, select(2) stops at FD_SETSIZE"),
        ]);

    private static ScaleRow Row(SelectorBackend backend, int n, int k, int microseconds) =>
        new(backend, Trigger.Level, n, k, 1000, [TimeSpan.FromMicroseconds(microseconds), TimeSpan.FromMicroseconds(microseconds + 10), TimeSpan.FromMicroseconds(microseconds - 10)], null);

    [Fact]
    public void The_csv_has_a_header_one_line_per_cell_and_the_median_in_microseconds()
    {
        var text = new StringWriter();
        ScaleCsv.Write(Report, text);
        string[] lines = text.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(ScaleCsv.Header, lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.Equal("poll,level,2048,1,1000,3,9000,8.991,8990,9010,", lines[4]);
        Assert.Equal("select,level,2048,1,1000,0,,,,,\"select N=2048: skipped, select(2) stops at FD_SETSIZE\"", lines[5]);
    }

    [Fact]
    public void The_summary_compares_each_backend_at_its_smallest_and_largest_size_and_with_epoll()
    {
        IReadOnlyList<string> lines = ScaleSummary.Lines(Report);
        Assert.Equal(2, lines.Count);
        Assert.Equal("K=1 poll   level: N=64 300 µs -> N=2048 9.00 ms per chain (30x for 32x the pairs); 82x epoll at N=2048", lines[1]);
    }

    [Fact]
    public void The_chart_is_a_png_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"iomux-scale-test-{Guid.NewGuid():N}.png");
        try
        {
            ScaleChart.SavePng(Report, path, "test");
            byte[] head = File.ReadAllBytes(path)[..8];
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("64,abc", "--sizes: 'abc' is not a positive whole number")]
    [InlineData("64,-1", "--sizes: '-1' is not a positive whole number")]
    [InlineData(",", "--sizes is empty")]
    public void Bad_size_lists_name_the_option_and_the_value(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ScaleArguments.Integers(text, "--sizes"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backends_and_triggers_parse_by_name_and_reject_unknown_ones()
    {
        Assert.Equal([SelectorBackend.Poll, SelectorBackend.Epoll], ScaleArguments.Backends("poll, EPOLL"));
        Assert.Equal([Trigger.OneShot, Trigger.Edge], ScaleArguments.Triggers("one-shot,edge"));
        Assert.Contains("'kqueue' is not a backend", Assert.Throws<ArgumentException>(() => ScaleArguments.Backends("kqueue")).Message, StringComparison.Ordinal);
        Assert.Contains("'rising' is not a trigger", Assert.Throws<ArgumentException>(() => ScaleArguments.Triggers("rising")).Message, StringComparison.Ordinal);
    }
}
