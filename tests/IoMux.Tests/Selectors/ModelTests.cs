using System.Text;
using IoMux.Native;
using IoMux.Tests.Selectors.Support;

namespace IoMux.Tests.Selectors;

/// <summary>
/// Random sequences of register / modify / unregister / write / read / close on socketpairs, checked
/// after every step against a small in-memory model of what a level-triggered or one-shot registration
/// must report. Seeds are fixed; a failure names the seed and the whole operation log.
/// </summary>
public sealed class ModelTests
{
    private const int PairCount = 6;
    private const int Steps = 400;
    /// <summary>Unread writes per direction are capped so an AF_UNIX sender never stops being writable.</summary>
    private const int MaxUnreadWrites = 8;

    [Theory]
    [MemberData(nameof(Backends.WithModelSeeds), MemberType = typeof(Backends))]
    public void Random_operations_on_socketpairs_report_exactly_what_the_model_predicts(SelectorBackend backend, int seed)
    {
        using Selector selector = Selector.Create(backend);
        var run = new ModelRun(selector, seed);
        try
        {
            for (int step = 0; step < Steps; step++)
            {
                run.Step();
                run.CheckWait();
            }
        }
        finally
        {
            run.Dispose();
        }
    }

    /// <summary>One end of a modelled socketpair.</summary>
    private sealed class End
    {
        public required string Name { get; init; }
        public FileDescriptor? Handle { get; set; }
        public End Peer { get; set; } = null!;
        public int UnreadBytes { get; set; }
        public int UnreadWrites { get; set; }
        public Interest Interest { get; set; }
        public Trigger Trigger { get; set; }
        public bool Armed { get; set; }
        /// <summary>The peer closed with data of ours unread: ECONNRESET is pending (POLLERR) until a read returns it.</summary>
        public bool ResetPending { get; set; }

        public bool Open => Handle is not null;
        public bool Registered => Interest != Interest.None;
        public int Fd => Handle!.Fd;
        public bool PeerClosed => !Peer.Open;

        /// <summary>What the kernel says about this end: readable with data or at EOF; an AF_UNIX stream end stays writable.</summary>
        public Readiness Kernel => (UnreadBytes > 0 || PeerClosed ? Readiness.Read : Readiness.None) | Readiness.Write;
    }

    private sealed class ModelRun : IDisposable
    {
        private readonly Selector _selector;
        private readonly int _seed;
        private readonly Random _random;
        private readonly List<End> _ends = [];
        private readonly StringBuilder _log = new();
        private readonly Trigger[] _triggers;
        private readonly bool _reportsHangup;
        private int _steps;

        public ModelRun(Selector selector, int seed)
        {
            _selector = selector;
            _seed = seed;
            _random = new Random(seed);
            _triggers = new[] { Trigger.Level, Trigger.OneShot }.Where(selector.Supports).ToArray();
            _reportsHangup = Backends.ReportsHangupAndError(selector.Backend);
            for (int i = 0; i < PairCount; i++)
            {
                var a = new End { Name = $"{i}a" };
                var b = new End { Name = $"{i}b" };
                (a.Peer, b.Peer) = (b, a);
                _ends.Add(a);
                _ends.Add(b);
                Open(a);
            }
        }

        public void Step()
        {
            _steps++;
            End end = _ends[_random.Next(_ends.Count)];
            if (!end.Open)
            {
                if (!end.Peer.Open)
                {
                    Open(end);
                }
                return; // half-closed pairs wait until both ends are closed, then reopen as a fresh pair
            }
            switch (_random.Next(10))
            {
                case 0 or 1:
                    if (end.Registered)
                    {
                        Modify(end);
                    }
                    else
                    {
                        Register(end);
                    }
                    break;
                case 2:
                    if (end.Registered)
                    {
                        Log($"unregister {end.Name} (fd {end.Fd})");
                        _selector.Unregister(end.Fd);
                        end.Interest = Interest.None;
                    }
                    break;
                case 3 or 4 or 5:
                    if (end.Peer.Open && end.Peer.UnreadWrites < MaxUnreadWrites)
                    {
                        int bytes = 1 + _random.Next(64);
                        Log($"write {bytes} bytes to {end.Name}");
                        Io.Write(end.Handle!, bytes);
                        end.Peer.UnreadBytes += bytes;
                        end.Peer.UnreadWrites++;
                    }
                    break;
                case 6 or 7:
                    Read(end);
                    break;
                case 8:
                    if (_random.Next(3) == 0)
                    {
                        Close(end);
                    }
                    break;
                default:
                    Log("wait only");
                    break;
            }
        }

        public void CheckWait()
        {
            var expected = new List<(int, Readiness)>();
            foreach (End end in _ends.Where(e => e.Open && e.Registered && e.Armed))
            {
                Readiness visible = end.Kernel & (Readiness)end.Interest;
                if (visible != Readiness.None)
                {
                    expected.Add((end.Fd, visible));
                }
            }
            expected.Sort();

            var actual = Ready.Now(_selector, capacity: 4 * PairCount);
            var actualReadWrite = actual.Select(e => (e.Fd, e.Readiness & (Readiness.Read | Readiness.Write))).ToList();
            Assert.True(expected.SequenceEqual(actualReadWrite), Failure($"expected [{string.Join(", ", expected)}] but saw [{string.Join(", ", actual)}]"));
            foreach ((int fd, Readiness readiness) in actual)
            {
                End end = _ends.Single(e => e.Open && e.Fd == fd);
                bool hangup = _reportsHangup && end.PeerClosed;
                Assert.True(readiness.HasFlag(Readiness.Hangup) == hangup, Failure($"{end.Name} reported {readiness}; expected Hangup={hangup}"));
                bool error = _reportsHangup && end.ResetPending;
                Assert.True(readiness.HasFlag(Readiness.Error) == error, Failure($"{end.Name} reported {readiness}; expected Error={error}"));
                Assert.True((readiness & (Readiness.Invalid | Readiness.ReadHangup | Readiness.Priority)) == 0, Failure($"{end.Name} reported {readiness}"));
                if (end.Trigger == Trigger.OneShot)
                {
                    end.Armed = false;
                }
            }
        }

        public void Dispose()
        {
            foreach (End end in _ends)
            {
                end.Handle?.Dispose();
            }
        }

        private void Open(End end)
        {
            (FileDescriptor a, FileDescriptor b) = Descriptors.SocketPair();
            (end.Handle, end.Peer.Handle) = (a, b);
            foreach (End e in new[] { end, end.Peer })
            {
                (e.UnreadBytes, e.UnreadWrites, e.Interest, e.Armed, e.ResetPending) = (0, 0, Interest.None, false, false);
            }
            Log($"open pair {end.Name} (fd {a.Fd}) / {end.Peer.Name} (fd {b.Fd})");
        }

        private void Close(End end)
        {
            if (end.Registered)
            {
                Log($"unregister {end.Name} (fd {end.Fd}) before closing");
                _selector.Unregister(end.Fd);
                end.Interest = Interest.None;
            }
            // Closing an AF_UNIX stream end with data still unread resets its peer (ECONNRESET), like TCP.
            bool resets = end.UnreadBytes > 0 && end.Peer.Open;
            Log($"close {end.Name} (fd {end.Fd}){(resets ? $" with {end.UnreadBytes} bytes unread: resets {end.Peer.Name}" : "")}");
            end.Handle!.Dispose();
            end.Handle = null;
            (end.UnreadBytes, end.UnreadWrites, end.ResetPending) = (0, 0, false);
            end.Peer.ResetPending |= resets;
        }

        /// <summary>Reads to EAGAIN or EOF: first the data, then a pending reset (once), then EOF.</summary>
        private void Read(End end)
        {
            Log($"read {end.Name} (expect {end.UnreadBytes} bytes{(end.ResetPending ? ", then ECONNRESET" : "")})");
            Span<byte> buffer = stackalloc byte[4096];
            int total = 0;
            bool reset = false;
            while (true)
            {
                int n = Descriptors.Read(end.Fd, buffer, out Errno errno);
                if (n > 0)
                {
                    total += n;
                    continue;
                }
                if (n < 0 && errno == Errno.ECONNRESET && !reset)
                {
                    reset = true;
                    continue;
                }
                Assert.True(n == 0 || errno == Errno.EAGAIN, Failure($"read on {end.Name} failed with {errno}"));
                break;
            }
            Assert.True(total == end.UnreadBytes, Failure($"read on {end.Name} returned {total} bytes"));
            Assert.True(reset == end.ResetPending, Failure($"read on {end.Name}: ECONNRESET {(reset ? "" : "not ")}returned"));
            (end.UnreadBytes, end.UnreadWrites, end.ResetPending) = (0, 0, false);
        }

        private void Register(End end)
        {
            (Interest interest, Trigger trigger) = (RandomInterest(), _triggers[_random.Next(_triggers.Length)]);
            Log($"register {end.Name} (fd {end.Fd}) for {interest} {trigger}");
            _selector.Register(end.Handle!, interest, end, trigger);
            (end.Interest, end.Trigger, end.Armed) = (interest, trigger, true);
        }

        private void Modify(End end)
        {
            Interest interest = _random.Next(3) == 0 ? end.Interest : RandomInterest();
            Trigger? trigger = _random.Next(2) == 0 ? null : _triggers[_random.Next(_triggers.Length)];
            Log($"modify {end.Name} (fd {end.Fd}) to {interest} {trigger?.ToString() ?? "(same trigger)"}");
            _selector.Modify(end.Fd, interest, trigger);
            (end.Interest, end.Trigger, end.Armed) = (interest, trigger ?? end.Trigger, true);
        }

        private Interest RandomInterest() => _random.Next(3) switch
        {
            0 => Interest.Read,
            1 => Interest.Write,
            _ => Interest.Read | Interest.Write,
        };

        private void Log(string operation) => _log.Append(_steps).Append(": ").AppendLine(operation);

        private string Failure(string what) =>
            $"{_selector.Backend} seed {_seed}, step {_steps}: {what}{Environment.NewLine}operations:{Environment.NewLine}{_log}";
    }
}
