using System.Globalization;

namespace IoMux.Cli.Scaling;

/// <summary>Durations for people: three significant digits in µs, ms or s.</summary>
internal static class Durations
{
    public static string Format(TimeSpan t)
    {
        double us = t.TotalMicroseconds;
        return us switch
        {
            < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{Significant(us)} µs"),
            < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{Significant(us / 1_000)} ms"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Significant(us / 1_000_000)} s"),
        };
    }

    private static string Significant(double v) => v switch
    {
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        _ => v.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
