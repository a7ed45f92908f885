using System.Net;
using IoMux.Native;

namespace IoMux.Datagrams;

/// <summary>How a <see cref="UdpEndpoint"/> runs. Every queue and buffer is bounded by one of these.</summary>
/// <remarks>
/// <see cref="UdpEndpoint.Open"/> checks the options and reads them once: a value out of range makes it throw
/// <see cref="ArgumentOutOfRangeException"/> naming the option. It keeps the trace.
/// </remarks>
public sealed class UdpEndpointOptions
{
    /// <summary>Connect to this peer: only its datagrams are received, <see cref="UdpEndpoint.Send"/> needs no address, and its ICMP errors are reported.</summary>
    public IPEndPoint? Remote { get; init; }

    /// <summary>On an IPv6 address, accept IPv4 peers too (as IPv4-mapped addresses); IPv6 only otherwise.</summary>
    public bool DualStack { get; init; }

    /// <summary>SO_REUSEPORT, so one endpoint per loop can share the port and the kernel spreads peers among them.</summary>
    public bool ReusePort { get; init; }

    /// <summary>SO_RCVBUF in bytes (null: the kernel's default, <c>net.core.rmem_default</c>).</summary>
    public int? ReceiveBufferSize { get; init; }

    /// <summary>SO_SNDBUF in bytes (null: the kernel's default).</summary>
    public int? SendBufferSize { get; init; }

    /// <summary>The hop limit of sent datagrams, 1 to 255 (null: the kernel's default).</summary>
    public int? TimeToLive { get; init; }

    /// <summary>The largest datagram received whole; a longer one is truncated and reported as such. Also the largest one sent.</summary>
    public int MaxDatagramSize { get; init; } = DatagramConstants.MaxPayload;

    /// <summary>
    /// Datagrams per recvmmsg / sendmmsg call (readiness), and provided buffers for the multishot receive (completion,
    /// rounded up to a power of two). Each costs <see cref="MaxDatagramSize"/> bytes of address space, committed only
    /// as large datagrams arrive.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Datagrams one endpoint receives in one loop turn before the loop's other work gets its turn (readiness).</summary>
    public int ReceiveBudgetPerTurn { get; init; } = 256;

    /// <summary>Datagrams the send queue holds at most; one more is dropped and counted.</summary>
    public int SendQueueCapacity { get; init; } = 1024;

    /// <summary>Payload bytes the send queue holds at most (at least <see cref="MaxDatagramSize"/>); one datagram more is dropped and counted.</summary>
    public int SendQueueBytes { get; init; } = 1024 * 1024;

    /// <summary>Readiness (any backend: recvmmsg / sendmmsg) or completion (io_uring: a multishot recvmsg); see <see cref="EventLoop.IsAvailable"/>.</summary>
    public IoModel IoModel { get; init; } = IoModel.Readiness;

    /// <summary>How the socket is registered (readiness); the loop's selector must support it.</summary>
    public Trigger Trigger { get; init; } = Trigger.Level;

    /// <summary>Told of every batch, datagram, drop and error, or <see langword="null"/>.</summary>
    public IDatagramTrace? Trace { get; init; }

    internal void Validate()
    {
        Check(MaxDatagramSize is >= 1 and <= DatagramConstants.MaxPayload + 20, nameof(MaxDatagramSize), MaxDatagramSize, $"use 1 to {DatagramConstants.MaxPayload + 20} bytes (65,527 is the IPv6 most)");
        Check(BatchSize is >= 1 and <= 1024, nameof(BatchSize), BatchSize, "use 1 to 1024 datagrams (UIO_MAXIOV)");
        Check(ReceiveBudgetPerTurn >= 1, nameof(ReceiveBudgetPerTurn), ReceiveBudgetPerTurn, "use at least 1 datagram");
        Check(SendQueueCapacity >= 1, nameof(SendQueueCapacity), SendQueueCapacity, "use at least 1 datagram");
        Check(SendQueueBytes >= MaxDatagramSize, nameof(SendQueueBytes), SendQueueBytes, $"use at least MaxDatagramSize ({MaxDatagramSize}) bytes, so any datagram can wait its turn");
        Check(ReceiveBufferSize is null or >= 1, nameof(ReceiveBufferSize), ReceiveBufferSize, "use a positive number of bytes");
        Check(SendBufferSize is null or >= 1, nameof(SendBufferSize), SendBufferSize, "use a positive number of bytes");
        Check(TimeToLive is null or (>= 1 and <= 255), nameof(TimeToLive), TimeToLive, "use 1 to 255 hops");
        if (Trigger != Trigger.Level && IoModel == IoModel.Completion)
        {
            throw new ArgumentOutOfRangeException(nameof(Trigger), Trigger, "the completion model has no readiness to trigger on; use Trigger.Level");
        }
    }

    private static void Check(bool valid, string name, object? value, string fix)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} {value} is out of range; {fix}");
        }
    }
}
