using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace IoMux.Cli.Commands;

/// <summary>
/// The tool's log lines as they always looked: <c>iomux echo: message</c>, one line each, on stderr, no colour,
/// level or category (an exception's message, when the line does not already hold it, on the same line).
/// </summary>
internal sealed class OneLineConsoleFormatter(IOptionsMonitor<OneLineConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    private const string FormatterName = "iomux-one-line";

    /// <summary>A console logger factory (information and above) whose lines start with <paramref name="prefix"/>.</summary>
    public static ILoggerFactory CreateFactory(string prefix) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddConsole(console =>
        {
            console.FormatterName = FormatterName;
            console.LogToStandardErrorThreshold = LogLevel.Trace;
        })
        .AddConsoleFormatter<OneLineConsoleFormatter, OneLineConsoleFormatterOptions>(formatter => formatter.Prefix = prefix));

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string prefix = options.CurrentValue.Prefix;
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        textWriter.WriteLine(logEntry.Exception is { } e && !message.Contains(e.Message, StringComparison.Ordinal)
            ? $"{prefix}: {message}: {e.Message}"
            : $"{prefix}: {message}");
    }
}

/// <summary>What <see cref="OneLineConsoleFormatter"/> puts before each message.</summary>
internal sealed class OneLineConsoleFormatterOptions : ConsoleFormatterOptions
{
    public string Prefix { get; set; } = "iomux";
}
