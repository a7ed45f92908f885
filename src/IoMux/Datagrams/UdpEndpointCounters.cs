namespace IoMux.Datagrams;

/// <summary>What an endpoint has done so far; datagrams per call (<see cref="Received"/> / <see cref="ReceiveCalls"/>) is what batching buys.</summary>
/// <param name="Received">Datagrams handed to the handler.</param>
/// <param name="Truncated">Of those, how many were longer than <see cref="UdpEndpointOptions.MaxDatagramSize"/> and cut.</param>
/// <param name="Sent">Datagrams the kernel took.</param>
/// <param name="Dropped">Datagrams not sent because the bounded send queue was full.</param>
/// <param name="SendFailed">Datagrams not sent because the kernel refused them (each reported to <see cref="IDatagramHandler.OnError"/>).</param>
/// <param name="Errors">Errors the socket reported (ICMP errors and refused sends), each told to <see cref="IDatagramHandler.OnError"/>.</param>
/// <param name="ReceiveCalls">Receive system calls (recvmmsg) or completions that brought datagrams.</param>
/// <param name="SendCalls">Send system calls (sendto, sendmmsg) or io_uring sends that moved datagrams.</param>
public readonly record struct UdpEndpointCounters(
    long Received, long Truncated, long Sent, long Dropped, long SendFailed, long Errors, long ReceiveCalls, long SendCalls);
