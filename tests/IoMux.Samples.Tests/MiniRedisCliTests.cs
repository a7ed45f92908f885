using System.Globalization;

namespace IoMux.Samples.Tests;

/// <summary>MiniRedis under clients no one here wrote: redis-cli (one command, --pipe) and redis-benchmark.</summary>
public sealed class MiniRedisCliTests : IClassFixture<MiniRedisCliTests.Server>
{
    private readonly MiniRedisProcess _redis;

    public MiniRedisCliTests(Server server)
    {
        _redis = server.Process;
    }

    [ToolFact("redis-cli", "redis-benchmark")]
    public void Redis_cli_gets_Redis_s_answers()
    {
        Assert.Equal("PONG", _redis.Cli("PING"));
        Assert.Equal("hi there", _redis.Cli("ECHO", "hi there"));
        Assert.Equal("OK", _redis.Cli("SET", "cli:k", "v"));
        Assert.Equal("v", _redis.Cli("GET", "cli:k"));
        Assert.Equal("", _redis.Cli("GET", "cli:missing"));
        Assert.Equal("1", _redis.Cli("INCR", "cli:n"));
        Assert.Equal("2", _redis.Cli("INCR", "cli:n"));
        Assert.Equal("ERR value is not an integer or out of range", _redis.Cli("INCR", "cli:k"));
        Assert.Equal("2", _redis.Cli("EXISTS", "cli:k", "cli:n", "cli:missing"));
        Assert.Equal("2", _redis.Cli("DEL", "cli:k", "cli:n", "cli:missing"));
        Assert.Equal("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ", _redis.Cli("FOO", "a", "b"));
        Assert.Equal("ERR wrong number of arguments for 'get' command", _redis.Cli("GET"));
    }

    [ToolFact("redis-cli", "redis-benchmark")]
    public void A_key_set_with_PX_expires()
    {
        Assert.Equal("OK", _redis.Cli("SET", "cli:short", "v", "PX", "100"));
        Assert.True(SpinWait.SpinUntil(() => _redis.Cli("EXISTS", "cli:short") == "0", TimeSpan.FromSeconds(30)), "the key outlived its PX");
    }

    [ToolFact("redis-cli", "redis-benchmark")]
    public void Ten_thousand_pipelined_requests_through_redis_cli_pipe_all_get_replies()
    {
        var requests = new System.Text.StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            requests.Append(CultureInfo.InvariantCulture, $"*3\r\n$3\r\nSET\r\n${("pipe:" + i).Length}\r\npipe:{i}\r\n$1\r\nv\r\n");
        }
        ToolRun run = ExternalTool.Run("redis-cli", ["-p", _redis.Port.ToString(CultureInfo.InvariantCulture), "--pipe"], requests.ToString());
        Assert.True(run.ExitCode == 0, run.AllOutput);
        Assert.Contains("errors: 0, replies: 10000", run.AllOutput, StringComparison.Ordinal);
        Assert.Equal("1", _redis.Cli("EXISTS", "pipe:9999"));
    }

    [ToolFact("redis-cli", "redis-benchmark")]
    public void Redis_benchmark_runs_ping_set_and_get_with_and_without_pipelining()
    {
        foreach (string pipeline in new[] { "1", "16" })
        {
            ToolRun run = ExternalTool.Run("redis-benchmark",
                ["-p", _redis.Port.ToString(CultureInfo.InvariantCulture), "-t", "ping,set,get", "-c", "20", "-n", "20000", "-P", pipeline, "-q"],
                bound: TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.AllOutput);
            foreach (string test in new[] { "PING_INLINE", "PING_MBULK", "SET", "GET" })
            {
                Assert.Matches($"{test}: [0-9.]+ requests per second", run.AllOutput);
            }
        }
    }

    /// <summary>One MiniRedis process for the class (starting one takes the runtime's start-up).</summary>
    public sealed class Server : IDisposable
    {
        private readonly Lazy<MiniRedisProcess> _process = new(() => new MiniRedisProcess());

        public MiniRedisProcess Process => _process.Value;

        public void Dispose()
        {
            if (_process.IsValueCreated)
            {
                _process.Value.Dispose();
            }
        }
    }
}
