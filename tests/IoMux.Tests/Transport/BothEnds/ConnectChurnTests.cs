using System.Net;
using System.Net.Sockets;
using IoMux.Tests.Selectors.Support;
using IoMux.Transport;

using static IoMux.Tests.Transport.BothEnds.ConnectTestKit;
using static IoMux.Tests.Transport.TransportTestKit;

namespace IoMux.Tests.Transport.BothEnds;

/// <summary>
/// Connects that fail in every way, succeed and close, again and again, leave no descriptor behind, on every
/// transport mode. Counts /proc/self/fd, so it runs alone.
/// </summary>
[Collection(NonParallel.Name)]
public sealed class ConnectChurnTests
{
    [Theory]
    [MemberData(nameof(TransportModes.All), MemberType = typeof(TransportModes))]
    public void Churning_connects_of_every_outcome_leaves_no_descriptor_behind(SelectorBackend backend, Trigger trigger, IoModel model)
    {
        using Socket refusing = BoundNotListening();
        using var silent = new FullBacklogListener();
        using var serverGroup = new EventLoopGroup(1, backend);
        using TcpServer server = TcpServer.Start(serverGroup, new IPEndPoint(IPAddress.Loopback, 0), _ => new EchoBack());
        serverGroup.Start();
        using var group = new EventLoopGroup(1, backend);
        using var connector = new Connector(group.Loops[0], new ConnectOptions { Trigger = trigger, IoModel = model, ConnectTimeout = TimeSpan.FromMilliseconds(50) });
        group.Start();

        void Round()
        {
            var outcomes = new List<Task<Connection>>();
            for (int i = 0; i < 20; i++)
            {
                outcomes.Add(connector.ConnectAsync(refusing.LocalEndPoint!, new ConnectRecorder()));
                outcomes.Add(connector.ConnectAsync(silent.EndPoint, new ConnectRecorder()));
                outcomes.Add(connector.ConnectAsync(server.LocalEndPoint, new ConnectRecorder()));
                using var cancel = new CancellationTokenSource();
                outcomes.Add(connector.ConnectAsync(silent.EndPoint, new ConnectRecorder(), cancel.Token));
                cancel.Cancel();
            }
            foreach (Task<Connection> outcome in outcomes)
            {
                Assert.True(Finishes(outcome, Bound), "a connect never finished");
                if (outcome.IsCompletedSuccessfully)
                {
                    group.Loops[0].Post(outcome.Result.Abort);
                }
            }
            WaitFor(() => connector.OpenConnections == 0, "connections made in the round were never released");
        }

        Round(); // the loop's own descriptors (completion queue, buffers) come with its first connects
        int before = OpenDescriptors();
        for (int i = 0; i < 5; i++)
        {
            Round();
        }
        int after = OpenDescriptors();

        Assert.True(after <= before, $"open descriptors grew from {before} to {after} over 5 rounds of 80 connects");
    }

    private static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;
}
