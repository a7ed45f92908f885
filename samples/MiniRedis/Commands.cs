using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace MiniRedis;

/// <summary>What a command asks the session to do after its reply.</summary>
internal enum After
{
    Continue,
    Close,
}

/// <summary>The commands MiniRedis serves, answered with Redis's replies and Redis's error messages.</summary>
internal sealed class Commands(Store store)
{
    public After Execute(RespRequest request, IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> name = request[0];
        if (Is(name, "GET"u8))
        {
            return Arity(request, 2, "get", output) ? Get(request, output) : After.Continue;
        }
        if (Is(name, "SET"u8))
        {
            return Arity(request, -3, "set", output) ? Set(request, output) : After.Continue;
        }
        if (Is(name, "PING"u8))
        {
            if (request.Count > 2)
            {
                WrongArity("ping", output);
            }
            else if (request.Count == 2)
            {
                RespWriter.Bulk(output, request[1]);
            }
            else
            {
                RespWriter.Simple(output, "PONG"u8);
            }
            return After.Continue;
        }
        if (Is(name, "ECHO"u8))
        {
            if (Arity(request, 2, "echo", output))
            {
                RespWriter.Bulk(output, request[1]);
            }
            return After.Continue;
        }
        if (Is(name, "DEL"u8))
        {
            return Arity(request, -2, "del", output) ? Del(request, output) : After.Continue;
        }
        if (Is(name, "EXISTS"u8))
        {
            return Arity(request, -2, "exists", output) ? Exists(request, output) : After.Continue;
        }
        if (Is(name, "INCR"u8))
        {
            return Arity(request, 2, "incr", output) ? Incr(request, output) : After.Continue;
        }
        if (Is(name, "CONFIG"u8) && request.Count == 3 && Is(request[1], "GET"u8))
        {
            ConfigGet(request[2], output);
            return After.Continue;
        }
        if (Is(name, "QUIT"u8))
        {
            RespWriter.Simple(output, "OK"u8);
            return After.Close;
        }
        UnknownCommand(request, output);
        return After.Continue;
    }

    /// <summary>
    /// The two settings redis-benchmark asks for, answered truthfully (MiniRedis keeps nothing on disk); any other name
    /// matches nothing, which Redis answers with an empty list.
    /// </summary>
    private static void ConfigGet(ReadOnlySpan<byte> parameter, IBufferWriter<byte> output)
    {
        if (Is(parameter, "SAVE"u8))
        {
            output.Write("*2\r\n$4\r\nsave\r\n$0\r\n\r\n"u8);
        }
        else if (Is(parameter, "APPENDONLY"u8))
        {
            output.Write("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"u8);
        }
        else
        {
            output.Write("*0\r\n"u8);
        }
    }

    private After Get(RespRequest request, IBufferWriter<byte> output)
    {
        lock (store.Sync)
        {
            if (store.TryGet(request[1], out byte[] value))
            {
                RespWriter.Bulk(output, value);
            }
            else
            {
                RespWriter.NullBulk(output);
            }
        }
        return After.Continue;
    }

    /// <summary>SET key value [NX | XX] [EX seconds | PX milliseconds | KEEPTTL].</summary>
    private After Set(RespRequest request, IBufferWriter<byte> output)
    {
        bool nx = false, xx = false, keepTtl = false;
        long expiresAt = 0;
        bool expirySet = false;
        for (int i = 3; i < request.Count; i++)
        {
            ReadOnlySpan<byte> option = request[i];
            bool hasNext = i + 1 < request.Count;
            if (Is(option, "NX"u8) && !xx)
            {
                nx = true;
            }
            else if (Is(option, "XX"u8) && !nx)
            {
                xx = true;
            }
            else if (Is(option, "KEEPTTL"u8) && !expirySet)
            {
                keepTtl = true;
            }
            else if ((Is(option, "EX"u8) || Is(option, "PX"u8)) && hasNext && !expirySet && !keepTtl)
            {
                if (!RespParser.TryNumber(request[++i], out long amount))
                {
                    RespWriter.Error(output, "ERR value is not an integer or out of range");
                    return After.Continue;
                }
                long milliseconds = Is(option, "EX"u8) ? (amount > long.MaxValue / 1000 ? -1 : amount * 1000) : amount;
                if (milliseconds <= 0 || milliseconds > long.MaxValue / Stopwatch.Frequency)
                {
                    RespWriter.Error(output, "ERR invalid expire time in 'set' command");
                    return After.Continue;
                }
                expiresAt = Store.Now + (milliseconds * Stopwatch.Frequency / 1000);
                expirySet = true;
            }
            else
            {
                RespWriter.Error(output, "ERR syntax error");
                return After.Continue;
            }
        }
        lock (store.Sync)
        {
            bool exists = store.TryGet(request[1], out _);
            if ((nx && exists) || (xx && !exists))
            {
                RespWriter.NullBulk(output);
                return After.Continue;
            }
            if (keepTtl && exists)
            {
                expiresAt = store.ExpiryOf(request[1]);
            }
            store.Set(request[1], request[2].ToArray(), expiresAt);
        }
        RespWriter.Simple(output, "OK"u8);
        return After.Continue;
    }

    private After Del(RespRequest request, IBufferWriter<byte> output)
    {
        long removed = 0;
        lock (store.Sync)
        {
            for (int i = 1; i < request.Count; i++)
            {
                removed += store.Remove(request[i]) ? 1 : 0;
            }
        }
        RespWriter.Integer(output, removed);
        return After.Continue;
    }

    private After Exists(RespRequest request, IBufferWriter<byte> output)
    {
        long found = 0;
        lock (store.Sync)
        {
            for (int i = 1; i < request.Count; i++)
            {
                found += store.TryGet(request[i], out _) ? 1 : 0;
            }
        }
        RespWriter.Integer(output, found);
        return After.Continue;
    }

    private After Incr(RespRequest request, IBufferWriter<byte> output)
    {
        lock (store.Sync)
        {
            long current = 0, expiresAt = 0;
            if (store.TryGet(request[1], out byte[] value))
            {
                if (!RespParser.TryNumber(value, out current))
                {
                    RespWriter.Error(output, "ERR value is not an integer or out of range");
                    return After.Continue;
                }
                expiresAt = store.ExpiryOf(request[1]);
            }
            if (current == long.MaxValue)
            {
                RespWriter.Error(output, "ERR increment or decrement would overflow");
                return After.Continue;
            }
            current++;
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(current, digits, out int n);
            store.Set(request[1], digits[..n].ToArray(), expiresAt);
            RespWriter.Integer(output, current);
        }
        return After.Continue;
    }

    /// <summary>Redis's arity rule: a positive arity is exact, a negative one a minimum (both count the name).</summary>
    private static bool Arity(RespRequest request, int arity, string name, IBufferWriter<byte> output)
    {
        if (arity > 0 ? request.Count == arity : request.Count >= -arity)
        {
            return true;
        }
        WrongArity(name, output);
        return false;
    }

    private static void WrongArity(string name, IBufferWriter<byte> output) =>
        RespWriter.Error(output, $"ERR wrong number of arguments for '{name}' command");

    /// <summary>Redis's message: the name, then the first arguments quoted, each followed by a space, until 128 characters.</summary>
    private static void UnknownCommand(RespRequest request, IBufferWriter<byte> output)
    {
        var args = new StringBuilder();
        for (int i = 1; i < request.Count && args.Length < 128; i++)
        {
            string arg = Printable(request[i]);
            args.Append('\'').Append(arg.AsSpan(0, Math.Min(arg.Length, 128 - args.Length))).Append("' ");
        }
        string name = Printable(request[0]);
        RespWriter.Error(output, $"ERR unknown command '{name[..Math.Min(name.Length, 128)]}', with args beginning with: {args}");
    }

    /// <summary>Redis sends an error as one line: its newlines become spaces.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes).Replace('\r', ' ').Replace('\n', ' ');

    private static bool Is(ReadOnlySpan<byte> word, ReadOnlySpan<byte> upper) => Ascii.EqualsIgnoreCase(word, upper);
}
