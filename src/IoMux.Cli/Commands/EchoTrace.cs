using System.Globalization;
using System.Text;
using IoMux.Transport;

namespace IoMux.Cli.Commands;

/// <summary>
/// <c>--trace</c>: one line per event, as the tutorial printed them — waiting, the ready set, accept,
/// bytes read and written, interest changes, close with its reason.
/// </summary>
internal sealed class EchoTrace : ILoopTrace, ITransportTrace
{
    private readonly TextWriter _out;

    public EchoTrace(TextWriter output) => _out = output;

    public void Waiting(EventLoop eventLoop, TimeSpan timeout) =>
        Line($"{eventLoop.Name}: waiting for I/O{(timeout == Timeout.InfiniteTimeSpan ? "" : $" (timeout {timeout.TotalMilliseconds:0.#} ms)")}");

    public void Ready(EventLoop eventLoop, ReadOnlySpan<SelectorEvent> events)
    {
        var line = new StringBuilder($"{eventLoop.Name}: ready:");
        foreach (SelectorEvent e in events)
        {
            line.Append(CultureInfo.InvariantCulture, $" fd {e.Fd} {Flags(e.Readiness)};");
        }
        Line(line.ToString().TrimEnd(';'));
    }

    public void Accepted(Connection connection) => Line($"{Name(connection)}: accepted");

    public void Rejected(int fd, RejectReason reason) => Line($"fd {fd}: closed at once ({reason})");

    public void Read(Connection connection, int bytes) => Line($"{Name(connection)}: read {bytes} bytes");

    public void EndOfStream(Connection connection) => Line($"{Name(connection)}: EOF from peer");

    public void SentEndOfStream(Connection connection) => Line($"{Name(connection)}: sent FIN");

    public void Wrote(Connection connection, int bytes, int queued) => Line($"{Name(connection)}: wrote {bytes} bytes ({queued} queued)");

    public void InterestChanged(Connection connection, Interest previous, Interest current) =>
        Line($"{Name(connection)}: interest {Flags(previous)} -> {Flags(current)}");

    public void Closed(Connection connection, CloseReason reason) =>
        Line($"{Name(connection)}: closed ({reason}{(connection.Error is { } errno ? $", {errno}" : "")})");

    private static string Name(Connection connection) => $"conn {connection.Id} (fd {connection.Fd})";

    private static string Flags<T>(T flags) where T : Enum => flags.ToString().Replace(", ", "|", StringComparison.Ordinal);

    private void Line(string text) => _out.WriteLine(text);
}
