using System.Buffers;
using System.IO.Pipelines;

namespace MiniRedis;

/// <summary>
/// One client, on the pipe API only: every complete request in what arrived is answered into the output pipe, then
/// one flush sends the batch — so a pipelined client gets its replies in one write. The flush waits while the
/// client is not reading, which stops this loop reading, which stops the socket being read.
/// </summary>
internal static class RedisSession
{
    public static async Task RunAsync(IDuplexPipe pipe, Commands commands, CancellationToken cancellationToken)
    {
        var request = new RespRequest();
        PipeReader input = pipe.Input;
        PipeWriter output = pipe.Output;
        while (true)
        {
            ReadResult read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            bool close = false;
            bool answered = false;
            string? error;
            while (RespParser.TryParse(ref buffer, request, out error))
            {
                if (request.Count == 0)
                {
                    continue; // an empty line or *0: Redis answers nothing
                }
                answered = true;
                if (commands.Execute(request, output) == After.Close)
                {
                    close = true;
                    break;
                }
            }
            if (!close && error is not null)
            {
                RespWriter.Error(output, "ERR " + error); // Redis answers a malformed request, then closes
                answered = true;
                close = true;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (answered)
            {
                FlushResult flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    return; // the connection is gone
                }
            }
            if (close || read.IsCompleted)
            {
                return; // returning completes both pipes: the replies go out, then FIN
            }
        }
    }
}
