using IoMux.Cli.Compare;

namespace IoMux.Cli.Tests.Compare;

/// <summary>wrk's report, as wrk 4.1 (Debian) prints it, read into requests, time, p99 and the two kinds of failure.</summary>
public sealed class WrkResultTests
{
    private const string Clean = """
        Running 2s test @ http://127.0.0.1:27401/plaintext
          1 threads and 50 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency    62.26ms  136.43ms 582.16ms   86.39%
            Req/Sec    12.05k     6.23k   21.21k    66.67%
          Latency Distribution
             50%    2.68ms
             75%    9.79ms
             90%  295.08ms
             99%  542.45ms
          18661 requests in 2.06s, 2.35MB read
        Requests/sec:   9063.75
        Transfer/sec:      1.14MB
        """;

    private const string Failing = """
        Running 1s test @ http://127.0.0.1:27401/plaintext
          1 threads and 2 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   143.99us  614.37us  10.39ms   98.80%
            Req/Sec    13.23k     9.71k   20.10k   100.00%
          Latency Distribution
             50%   82.00us
             75%   98.00us
             90%  121.00us
             99%  910.00us
          2633 requests in 1.00s, 339.45KB read
          Socket errors: connect 0, read 3, write 18846, timeout 1
          Non-2xx or 3xx responses: 15
        Requests/sec:   2631.41
        Transfer/sec:    339.24KB
        """;

    [Fact]
    public void A_clean_run_gives_its_requests_time_and_p99_and_no_failures()
    {
        WrkResult result = WrkResult.Parse(Clean);
        Assert.Equal(18661, result.Requests);
        Assert.Equal(TimeSpan.FromSeconds(2.06), result.Duration);
        Assert.Equal(542_450, result.P99Microseconds, precision: 3);
        Assert.Equal(0, result.SocketErrors);
        Assert.Equal(0, result.Non2xx);
        Assert.Null(result.SocketErrorDetail);
    }

    [Fact]
    public void Socket_errors_of_every_kind_and_non_2xx_responses_are_counted()
    {
        WrkResult result = WrkResult.Parse(Failing);
        Assert.Equal(3 + 18846 + 1, result.SocketErrors);
        Assert.Equal(15, result.Non2xx);
        Assert.Equal("socket errors: connect 0, read 3, write 18846, timeout 1", result.SocketErrorDetail);
        Assert.Equal(910, result.P99Microseconds, precision: 3);
    }

    [Fact]
    public void A_report_without_the_latency_distribution_is_refused_naming_the_flag()
    {
        string withoutLatency = string.Join('\n', Clean.Split('\n').Where(l => !l.Contains('%', StringComparison.Ordinal)));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => WrkResult.Parse(withoutLatency));
        Assert.Contains("--latency", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plaintext", "plaintext", 50, "GET /plaintext, 50 connections")]
    [InlineData("json:256", "json", 256, "GET /json, 256 connections")]
    [InlineData("echo:10", "echo", 10, "POST /echo 16 KiB, 10 connections")]
    public void An_http_workload_is_an_endpoint_and_a_connection_count(string text, string endpoint, int connections, string name)
    {
        HttpWorkload workload = HttpWorkload.Parse(text);
        Assert.Equal(new HttpWorkload(endpoint, connections), workload);
        Assert.Equal(name, workload.Name);
    }

    [Theory]
    [InlineData("index")]
    [InlineData("50x64:1")]
    [InlineData("json:0")]
    public void An_unknown_http_workload_is_refused_with_the_form_to_write(string text)
    {
        UsageException e = Assert.Throws<UsageException>(() => HttpWorkload.Parse(text));
        Assert.StartsWith("--workloads: ", e.Message, StringComparison.Ordinal);
    }
}
