using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace IoMux.Cli.Commands;

/// <summary>
/// The tool's log lines as they always looked: <c>iomux echo: message</c>, one line each, on stderr, no colour,
/// level or category (an exception's message, when the line does not already hold it, on the same line).
/// </summary>
internal sealed class OneLineConsoleFormatter(string prefix) : ConsoleFormatter(FormatterName)
{
    private const string FormatterName = "iomux-one-line";

    /// <summary>A console logger factory (information and above) whose lines start with <paramref name="prefix"/>.</summary>
    /// <remarks>
    /// The formatter is registered as a ready instance: <c>AddConsoleFormatter</c> would bind its options from
    /// configuration by reflection, which NativeAOT cannot do.
    /// </remarks>
    public static ILoggerFactory CreateFactory(string prefix) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(LogLevel.Information).AddConsole(console =>
        {
            console.FormatterName = FormatterName;
            console.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        builder.Services.AddSingleton<ConsoleFormatter>(new OneLineConsoleFormatter(prefix));
    });

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        textWriter.WriteLine(logEntry.Exception is { } e && !message.Contains(e.Message, StringComparison.Ordinal)
            ? $"{prefix}: {message}: {e.Message}"
            : $"{prefix}: {message}");
    }
}
