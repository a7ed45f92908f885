using System.IO.Pipelines;
using System.Text;
using MiniRedis;

namespace IoMux.Samples.Tests;

/// <summary>MiniRedis's protocol over in-memory pipes: requests in, Redis's exact replies out.</summary>
public sealed class RespProtocolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("*1\r\n$4\r\nPING\r\n", "+PONG\r\n")]
    [InlineData("PING\r\n", "+PONG\r\n")]
    [InlineData("ping\n", "+PONG\r\n")]
    [InlineData("*2\r\n$4\r\nPING\r\n$2\r\nhi\r\n", "$2\r\nhi\r\n")]
    [InlineData("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "$0\r\n\r\n")]
    [InlineData("ECHO \"a b\\x41\\n\"\r\n", "$5\r\na bA\n\r\n")]
    [InlineData("ECHO 'it\\'s'\r\n", "$4\r\nit's\r\n")]
    [InlineData("GET missing\r\n", "$-1\r\n")]
    [InlineData("CONFIG GET save\r\nCONFIG GET appendonly\r\nCONFIG GET maxmemory\r\n", "*2\r\n$4\r\nsave\r\n$0\r\n\r\n*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n*0\r\n")]
    [InlineData("\r\n\r\nPING\r\n", "+PONG\r\n")]
    [InlineData("*0\r\nPING\r\n", "+PONG\r\n")]
    [InlineData("GET\r\n", "-ERR wrong number of arguments for 'get' command\r\n")]
    [InlineData("PING a b\r\n", "-ERR wrong number of arguments for 'ping' command\r\n")]
    [InlineData("FOO a b\r\n", "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n")]
    [InlineData("SET k v XX\r\n", "$-1\r\n")]
    [InlineData("SET k v EX 0\r\n", "-ERR invalid expire time in 'set' command\r\n")]
    [InlineData("SET k v EX ten\r\n", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("SET k v EX 10 PX 10\r\n", "-ERR syntax error\r\n")]
    [InlineData("SET k v NX XX\r\n", "-ERR syntax error\r\n")]
    [InlineData("SET k v BOGUS\r\n", "-ERR syntax error\r\n")]
    public async Task A_request_gets_the_reply_Redis_gives(string request, string reply)
    {
        Assert.Equal(reply, await Exchange(new Store(), request));
    }

    [Theory]
    [InlineData("*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*-5\r\n*2000000\r\n", "-ERR Protocol error: expected '$', got 'P'\r\n")]
    [InlineData("*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n")]
    [InlineData("*1\r\n$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("ECHO \"open\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    [InlineData("ECHO \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public async Task A_protocol_error_is_answered_like_Redis_and_closes_the_connection(string request, string reply)
    {
        // The request after the bad one is never answered: the session ended.
        Assert.Equal(reply, await Exchange(new Store(), request + "PING\r\n"));
    }

    [Fact]
    public async Task An_inline_request_with_no_end_past_64_KiB_is_a_protocol_error()
    {
        Assert.Equal("-ERR Protocol error: too big inline request\r\n", await Exchange(new Store(), new string('a', 70_000)));
    }

    [Fact]
    public async Task Replies_to_pipelined_requests_come_back_in_order()
    {
        var store = new Store();
        string replies = await Exchange(store,
            "SET a 1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$2\r\n10\r\nINCR a\r\nINCR b\r\nGET a\r\nEXISTS a b c a\r\nDEL a c\r\nGET a\r\nINCR fresh\r\n");
        Assert.Equal("+OK\r\n+OK\r\n:2\r\n:11\r\n$1\r\n2\r\n:3\r\n:1\r\n$-1\r\n:1\r\n", replies);
    }

    [Fact]
    public async Task A_request_split_across_reads_is_answered_once_whole()
    {
        var store = new Store();
        Session(store, out Task session, out Pipe toServer, out Pipe fromServer);
        byte[] request = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"u8.ToArray();
        foreach (byte b in request)
        {
            await toServer.Writer.WriteAsync(new[] { b });
        }
        await toServer.Writer.CompleteAsync();
        await session.WaitAsync(Bound);
        Assert.Equal("+OK\r\n", await ReadAll(fromServer.Reader));
        lock (store.Sync)
        {
            Assert.True(store.TryGet("key"u8, out byte[] value));
            Assert.Equal("value"u8.ToArray(), value);
        }
    }

    [Fact]
    public async Task INCR_refuses_what_is_not_an_integer_and_what_would_overflow()
    {
        var store = new Store();
        Assert.Equal("+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n-ERR increment or decrement would overflow\r\n+OK\r\n:-9\r\n",
            await Exchange(store, "SET a x\r\nINCR a\r\nSET m 9223372036854775807\r\nINCR m\r\nSET n -10\r\nINCR n\r\n"));
        Assert.Equal("+OK\r\n-ERR value is not an integer or out of range\r\n", await Exchange(store, "SET z 007\r\nINCR z\r\n"));
    }

    [Fact]
    public async Task A_key_set_with_PX_is_gone_after_it_expires_and_the_sweep_frees_it()
    {
        var store = new Store();
        Assert.Equal("+OK\r\n+OK\r\n$1\r\nv\r\n", await Exchange(store, "SET k v PX 50\r\nSET forever v\r\nGET k\r\n"));
        Assert.True(SpinWait.SpinUntil(() => Exchange(store, "EXISTS k\r\n").Result == ":0\r\n", Bound), "the key outlived its expiry");

        Assert.Equal("+OK\r\n", await Exchange(store, "SET gone v PX 1\r\n"));
        Assert.True(SpinWait.SpinUntil(() =>
        {
            store.Sweep();
            return store.Count == 1;
        }, Bound), "the sweep left an expired key in memory");
    }

    [Fact]
    public async Task SET_with_NX_sets_only_a_missing_key_and_KEEPTTL_keeps_the_expiry()
    {
        var store = new Store();
        Assert.Equal("+OK\r\n$-1\r\n$1\r\n1\r\n+OK\r\n$1\r\n3\r\n",
            await Exchange(store, "SET k 1 NX\r\nSET k 2 NX\r\nGET k\r\nSET k 3 XX KEEPTTL\r\nGET k\r\n"));
    }

    [Fact]
    public async Task A_large_value_round_trips()
    {
        var store = new Store();
        string value = new('v', 1 << 20);
        string replies = await Exchange(store, $"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${value.Length}\r\n{value}\r\n*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
        Assert.Equal($"+OK\r\n${value.Length}\r\n{value}\r\n", replies);
    }

    [Fact]
    public async Task QUIT_answers_OK_and_ends_the_session()
    {
        Assert.Equal("+OK\r\n", await Exchange(new Store(), "QUIT\r\nPING\r\n"));
    }

    /// <summary>Sends <paramref name="requests"/>, ends the input, and returns everything the session wrote until it ended.</summary>
    private static async Task<string> Exchange(Store store, string requests)
    {
        Session(store, out Task session, out Pipe toServer, out Pipe fromServer);
        await toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(requests));
        await toServer.Writer.CompleteAsync();
        await session.WaitAsync(Bound);
        return await ReadAll(fromServer.Reader);
    }

    private static void Session(Store store, out Task session, out Pipe toServer, out Pipe fromServer)
    {
        toServer = new Pipe();
        fromServer = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var pipe = new Duplex(toServer.Reader, fromServer.Writer);
        Pipe output = fromServer;
        session = Task.Run(async () =>
        {
            await RedisSession.RunAsync(pipe, new Commands(store), CancellationToken.None);
            await output.Writer.CompleteAsync();
        });
    }

    private static async Task<string> ReadAll(PipeReader reader)
    {
        var text = new StringBuilder();
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            text.Append(Encoding.UTF8.GetString(result.Buffer));
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return text.ToString();
            }
        }
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
