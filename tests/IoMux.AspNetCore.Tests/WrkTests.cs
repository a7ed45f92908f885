using System.Globalization;
using System.Text.RegularExpressions;

namespace IoMux.AspNetCore.Tests;

/// <summary>wrk against a minimal app on every mode: short runs that must end with no socket error and no non-2xx response.</summary>
public sealed partial class WrkTests
{
    [ToolTheory("wrk")]
    [MemberData(nameof(Transports.Every), MemberType = typeof(Transports))]
    public async Task WrkRunsWithoutSocketErrorsOrNon2xxResponses(string mode)
    {
        await using TestApp app = await TestApp.StartAsync(mode, web => web.MapGet("/plaintext", () => "Hello, World!"));
        (int exitCode, string output, string errors) = await ExternalTool.RunAsync("wrk", "-t1", "-c50", "-d2s", $"{app.Address}plaintext");
        Assert.True(exitCode == 0, $"wrk exited with {exitCode}: {output}{errors}");
        Assert.DoesNotContain("Socket errors", output);
        Assert.DoesNotContain("Non-2xx", output);
        Match requests = Requests().Match(output);
        Assert.True(requests.Success, $"no request count in wrk's output: {output}");
        Assert.True(long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) > 0, output);
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();
}
