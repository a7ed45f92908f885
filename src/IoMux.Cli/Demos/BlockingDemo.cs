using System.Diagnostics;
using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Demos;

/// <summary>One read in the blocking demo: the descriptor's mode, what read(2) returned, and how long it took.</summary>
internal sealed record BlockingStep(string Mode, string Description, int Result, Errno Errno, TimeSpan Elapsed);

/// <summary>
/// The blocking demo's outcome. <see cref="BlockingReadOutwaitedWriter"/>: the blocking read was still
/// waiting when the writer wrote, and returned the byte. <see cref="NonBlockingErrno"/>: the same
/// descriptor, flipped to O_NONBLOCK with fcntl, fails at once with EAGAIN when nothing is there.
/// </summary>
internal sealed record BlockingDemoResult(
    int Fd,
    IReadOnlyList<BlockingStep> Steps,
    bool BlockingReadOutwaitedWriter,
    int BlockingReadBytes,
    Errno NonBlockingErrno,
    int NonBlockingBytesWithData,
    bool FlippedBackToBlocking);

/// <summary>
/// Blocking vs non-blocking on one descriptor: a read that waits for the writer, then fcntl(F_SETFL,
/// O_NONBLOCK) and the same read returning EAGAIN at once, then data, then back to blocking.
/// </summary>
internal static class BlockingDemo
{
    public static readonly TimeSpan DefaultWriterDelay = TimeSpan.FromMilliseconds(300);

    public static BlockingDemoResult Run(TimeSpan writerDelay, Action<BlockingStep>? onStep = null)
    {
        (PosixDescriptor reader, PosixDescriptor writer) = Posix.SocketPair(nonBlocking: false);
        using (reader)
        using (writer)
        {
            var steps = new List<BlockingStep>();
            void Add(BlockingStep step)
            {
                steps.Add(step);
                onStep?.Invoke(step);
            }

            // 1. Blocking: the read parks its thread until the writer, writerDelay later, sends a byte.
            int blockingBytes = 0;
            Errno blockingErrno = 0;
            long readReturned = 0;
            var readerThread = new Thread(() =>
            {
                var buffer = new byte[16];
                blockingBytes = Posix.Read(reader.Fd, buffer, out blockingErrno);
                Volatile.Write(ref readReturned, Stopwatch.GetTimestamp());
            })
            { IsBackground = true, Name = "blocking-read" };
            long start = Stopwatch.GetTimestamp();
            readerThread.Start();
            Thread.Sleep(writerDelay);
            bool stillWaiting = Volatile.Read(ref readReturned) == 0;
            Posix.WriteOrThrow(writer.Fd, "x"u8);
            if (!readerThread.Join(TimeSpan.FromSeconds(10)))
            {
                throw new InvalidOperationException($"the blocking read on fd {reader.Fd} did not return after the writer wrote");
            }
            Add(new BlockingStep("blocking", $"read(fd {reader.Fd}) with nothing to read; the writer sends 1 byte {writerDelay.TotalMilliseconds:0} ms later",
                blockingBytes, blockingErrno, Stopwatch.GetElapsedTime(start, readReturned)));

            // 2. Non-blocking: the same descriptor, flipped with fcntl, answers at once.
            Posix.SetNonBlocking(reader.Fd, true);
            var buf = new byte[16];
            long t = Stopwatch.GetTimestamp();
            int empty = Posix.Read(reader.Fd, buf, out Errno nonBlockingErrno);
            Add(new BlockingStep("non-blocking", $"fcntl(fd {reader.Fd}, F_SETFL, O_NONBLOCK); read(fd {reader.Fd}) with nothing to read",
                empty, nonBlockingErrno, Stopwatch.GetElapsedTime(t)));

            Posix.WriteOrThrow(writer.Fd, "hello"u8);
            t = Stopwatch.GetTimestamp();
            int withData = Posix.Read(reader.Fd, buf, out Errno dataErrno);
            Add(new BlockingStep("non-blocking", $"the writer sends 5 bytes; read(fd {reader.Fd})", withData, dataErrno, Stopwatch.GetElapsedTime(t)));

            // 3. And back: the mode is a property of the open file, flipped as often as wanted.
            Posix.SetNonBlocking(reader.Fd, false);
            bool blockingAgain = !Posix.IsNonBlocking(reader.Fd);

            return new BlockingDemoResult(reader.Fd, steps, stillWaiting && blockingBytes == 1, blockingBytes,
                nonBlockingErrno, withData, blockingAgain);
        }
    }
}
