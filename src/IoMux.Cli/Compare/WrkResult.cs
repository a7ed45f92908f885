using System.Globalization;
using System.Text.RegularExpressions;

namespace IoMux.Cli.Compare;

/// <summary>What one wrk run reported: requests completed in its time, the p99 latency, and what went wrong.</summary>
internal sealed partial record WrkResult(long Requests, TimeSpan Duration, double P99Microseconds, long SocketErrors, long Non2xx, string? SocketErrorDetail)
{
    private static readonly string[] SocketErrorKinds = ["connect", "read", "write", "timeout"];

    public double RequestsPerSecond => Duration > TimeSpan.Zero ? Requests / Duration.TotalSeconds : 0;

    /// <summary>
    /// Reads wrk's report (run with <c>--latency</c>). wrk prints the socket-error and non-2xx lines only when there were
    /// any; it counts a status of 400 or more as non-2xx.
    /// </summary>
    public static WrkResult Parse(string output)
    {
        Match total = Total().Match(output);
        Match p99 = P99().Match(output);
        if (!total.Success || !p99.Success)
        {
            throw new InvalidOperationException($"wrk's report has no request count or 99% latency line (was --latency given?): {output.Trim()}");
        }
        long socketErrors = 0;
        string? detail = null;
        if (SocketErrorsLine().Match(output) is { Success: true } errors)
        {
            socketErrors = SocketErrorKinds.Sum(kind => long.Parse(errors.Groups[kind].Value, CultureInfo.InvariantCulture));
            detail = socketErrors > 0 ? "socket errors: " + errors.Groups["all"].Value : null;
        }
        long non2xx = Non2xxLine().Match(output) is { Success: true } bad ? long.Parse(bad.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(
            long.Parse(total.Groups["n"].Value, CultureInfo.InvariantCulture),
            TimeSpan.FromMicroseconds(Microseconds(total.Groups["t"].Value, total.Groups["u"].Value)),
            Microseconds(p99.Groups["t"].Value, p99.Groups["u"].Value),
            socketErrors,
            non2xx,
            detail);
    }

    private static double Microseconds(string value, string unit) =>
        double.Parse(value, CultureInfo.InvariantCulture) * unit switch
        {
            "us" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" => 60_000_000,
            "h" => 3_600_000_000,
            _ => throw new InvalidOperationException($"wrk printed a time in '{unit}', which this parser does not know"),
        };

    [GeneratedRegex(@"^\s*(?<n>\d+) requests in (?<t>[\d.]+)(?<u>us|ms|s|m|h),", RegexOptions.Multiline)]
    private static partial Regex Total();

    [GeneratedRegex(@"^\s*99%\s+(?<t>[\d.]+)(?<u>us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"^\s*Socket errors: (?<all>connect (?<connect>\d+), read (?<read>\d+), write (?<write>\d+), timeout (?<timeout>\d+))", RegexOptions.Multiline)]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"^\s*Non-2xx or 3xx responses: (?<n>\d+)", RegexOptions.Multiline)]
    private static partial Regex Non2xxLine();
}
