using IoMux.Cli.Interop;
using IoMux.Native;

namespace IoMux.Cli.Demos;

/// <summary>What one wait in the trigger demo saw.</summary>
internal enum WaitOutcome
{
    /// <summary>The wait reported the reader readable.</summary>
    Reported,
    /// <summary>The wait timed out with no event.</summary>
    Silent,
}

/// <summary>One step: what the demo did, and (for waits) what the selector said.</summary>
internal sealed record TriggerStep(string Action, WaitOutcome? Outcome, int BytesLeft);

/// <summary>
/// The trigger demo on one backend and mode. The three waits that tell the modes apart:
/// <see cref="AfterWrite"/> (every mode reports), <see cref="AfterPartialRead"/> (only level reports the
/// 5 bytes still unread) and <see cref="AfterFollowUp"/> (edge reports again once new data arrives,
/// one-shot once re-armed; level, now drained, is silent).
/// </summary>
internal sealed record TriggerDemoResult(
    SelectorBackend Backend,
    Trigger Trigger,
    IReadOnlyList<TriggerStep> Steps,
    WaitOutcome AfterWrite,
    WaitOutcome AfterPartialRead,
    WaitOutcome AfterFollowUp)
{
    /// <summary>What the follow-up step does in this mode.</summary>
    public string FollowUp => FollowUpOf(Trigger);

    internal static string FollowUpOf(Trigger trigger) => trigger switch
    {
        Trigger.Level => "read the other 5 bytes",
        Trigger.Edge => "write 1 more byte",
        _ => "re-arm with Modify",
    };
}

/// <summary>
/// Level vs edge vs one-shot, on a real socketpair: write 10 bytes, read 5, wait again — then the step that
/// makes each mode speak (or fall silent) again. Runs on every backend that supports the mode.
/// </summary>
internal static class TriggerDemo
{
    public static readonly TimeSpan DefaultQuietWait = TimeSpan.FromMilliseconds(100);

    /// <summary>Every supported (backend, trigger) pair, in a stable order; io_uring's where the kernel allows it.</summary>
    public static IReadOnlyList<(SelectorBackend Backend, Trigger Trigger)> Cases()
    {
        var cases = new List<(SelectorBackend, Trigger)>();
        foreach (SelectorBackend backend in new[] { SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select, SelectorBackend.IoUring })
        {
            if (!Selector.IsAvailable(backend, out _))
            {
                continue;
            }
            using Selector probe = Selector.Create(backend);
            foreach (Trigger trigger in new[] { Trigger.Level, Trigger.Edge, Trigger.OneShot })
            {
                if (probe.Supports(trigger))
                {
                    cases.Add((backend, trigger));
                }
            }
        }
        return cases;
    }

    /// <summary>
    /// Runs the demo. <paramref name="quietWait"/> is how long a wait that should stay silent is given
    /// to prove it (a wait that reports returns at once).
    /// </summary>
    public static TriggerDemoResult Run(SelectorBackend backend, Trigger trigger, TimeSpan quietWait)
    {
        using Selector selector = Selector.Create(backend);
        (PosixDescriptor reader, PosixDescriptor writer) = Posix.SocketPair(nonBlocking: true);
        using (reader)
        using (writer)
        {
            selector.Register(reader, Interest.Read, trigger: trigger);
            var steps = new List<TriggerStep>();
            var buffer = new byte[16];
            var events = new SelectorEvent[4];
            int left = 0;

            left += Write(writer, 10);
            steps.Add(new TriggerStep("write 10 bytes", null, left));
            WaitOutcome afterWrite = Wait(selector, events, reader.Fd, quietWait);
            steps.Add(new TriggerStep("wait", afterWrite, left));

            left -= Read(reader, buffer.AsSpan(0, 5));
            steps.Add(new TriggerStep("read 5 bytes", null, left));
            WaitOutcome afterPartialRead = Wait(selector, events, reader.Fd, quietWait);
            steps.Add(new TriggerStep("wait again", afterPartialRead, left));

            switch (trigger)
            {
                case Trigger.Level:
                    left -= Read(reader, buffer);
                    break;
                case Trigger.Edge:
                    left += Write(writer, 1);
                    break;
                default:
                    selector.Modify(reader.Fd, Interest.Read);
                    break;
            }
            steps.Add(new TriggerStep(TriggerDemoResult.FollowUpOf(trigger), null, left));
            WaitOutcome afterFollowUp = Wait(selector, events, reader.Fd, quietWait);
            steps.Add(new TriggerStep("wait again", afterFollowUp, left));

            return new TriggerDemoResult(backend, trigger, steps, afterWrite, afterPartialRead, afterFollowUp);
        }
    }

    private static WaitOutcome Wait(Selector selector, SelectorEvent[] events, int fd, TimeSpan timeout)
    {
        foreach (SelectorEvent ev in selector.Wait(events, timeout))
        {
            if (ev.Fd == fd && (ev.Readiness & Readiness.Read) != 0)
            {
                return WaitOutcome.Reported;
            }
        }
        return WaitOutcome.Silent;
    }

    private static int Write(PosixDescriptor fd, int count)
    {
        Span<byte> data = stackalloc byte[count];
        data.Fill((byte)'x');
        int n = Posix.WriteOrThrow(fd.Fd, data);
        return n == count ? n : throw new InvalidOperationException($"wrote {n} of {count} bytes to fd {fd.Fd}");
    }

    private static int Read(PosixDescriptor fd, Span<byte> buffer) => Math.Max(Posix.ReadOrThrow(fd.Fd, buffer), 0);
}
