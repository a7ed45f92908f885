using System.Net;
using System.Net.Sockets;
using System.Text;
using LineChat;

namespace IoMux.Samples.Tests;

/// <summary>The chat room over real loopback sockets: lines reach everyone else, and a reader that stops costs bounded memory.</summary>
public sealed class LineChatTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_line_reaches_every_other_member_with_its_sender_s_name()
    {
        using ChatServer chat = ChatServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        using var alice = new Member(chat);
        using var bob = new Member(chat);
        using var carol = new Member(chat);
        Assert.True(SpinWait.SpinUntil(() => chat.Room.Count == 3, Bound), "not every member joined");

        alice.Send("hello, room\n");
        Assert.Equal($"{alice.Name}: hello, room", bob.LineMatching(line => line.EndsWith("hello, room", StringComparison.Ordinal)));
        Assert.Equal($"{alice.Name}: hello, room", carol.LineMatching(line => line.EndsWith("hello, room", StringComparison.Ordinal)));

        // A line sent in pieces is broadcast once, whole.
        bob.Send("in ");
        bob.Send("two\nand more\n");
        Assert.Equal($"{bob.Name}: in two", alice.LineMatching(line => line.Contains("in two", StringComparison.Ordinal)));
        Assert.Equal($"{bob.Name}: and more", alice.LineMatching(line => line.Contains("and more", StringComparison.Ordinal)));

        carol.Dispose();
        Assert.Equal($"* {carol.Name} left", alice.LineMatching(line => line.EndsWith("left", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_member_that_stops_reading_misses_lines_instead_of_growing_memory_and_slows_no_one()
    {
        const int limit = 64 * 1024;
        using ChatServer chat = ChatServer.Start(new IPEndPoint(IPAddress.Loopback, 0), limit);
        using var slow = new Member(chat, receiveBuffer: 4096);
        using var fast = new Member(chat);
        using var talker = new Member(chat);
        Assert.True(SpinWait.SpinUntil(() => chat.Room.Count == 3, Bound), "not every member joined");
        string prefix = talker.Name + ": ";
        string payload = new('x', 1000);

        // 20 MB in batches smaller than the limit: the fast member, which reads, is never the one held back.
        const int batches = 400, perBatch = 50;
        for (int batch = 0; batch < batches; batch++)
        {
            talker.Send(string.Concat(Enumerable.Repeat(payload + "\n", perBatch)));
            for (int i = 0; i < perBatch; i++)
            {
                Assert.Equal(prefix + payload, fast.LineMatching(line => line.StartsWith(prefix, StringComparison.Ordinal)));
            }
        }

        Assert.True(chat.Room.Dropped > 0, "the member that read nothing should have missed lines");
        Assert.InRange(chat.Room.DeepestQueue, 1, limit + ChatMember.MaxLine + 1);
        string notice = slow.LineMatching(line => line.Contains("lines dropped while you were not reading", StringComparison.Ordinal));
        Assert.StartsWith("* ", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_the_limit_closes_its_sender()
    {
        using ChatServer chat = ChatServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        using var member = new Member(chat);
        member.Send(new string('y', ChatMember.MaxLine * 2));
        Assert.Equal("* line too long; goodbye", member.LineMatching(line => line.StartsWith("* line", StringComparison.Ordinal)));
        Assert.Null(member.ReadLine());
    }

    /// <summary>A chat client: a blocking socket read line by line, with a generous timeout.</summary>
    private sealed class Member : IDisposable
    {
        private readonly Socket _socket;
        private readonly StreamReader _reader;

        public Member(ChatServer chat, int receiveBuffer = 0)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 30_000 };
            if (receiveBuffer > 0)
            {
                _socket.ReceiveBufferSize = receiveBuffer;
            }
            _socket.Connect(chat.LocalEndPoint);
            _reader = new StreamReader(new NetworkStream(_socket, ownsSocket: false), Encoding.UTF8);
            string welcome = _reader.ReadLine() ?? throw new InvalidOperationException("the room closed before its welcome");
            Name = welcome.Split(' ')[2].TrimEnd(';');
        }

        public string Name { get; }

        public void Send(string text) => _socket.Send(Encoding.UTF8.GetBytes(text));

        public string? ReadLine() => _reader.ReadLine();

        /// <summary>The next line <paramref name="wanted"/> accepts, skipping the room's other news.</summary>
        public string LineMatching(Func<string, bool> wanted)
        {
            while (true)
            {
                string line = _reader.ReadLine() ?? throw new InvalidOperationException("the room closed the connection");
                if (wanted(line))
                {
                    return line;
                }
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _socket.Dispose();
        }
    }
}
