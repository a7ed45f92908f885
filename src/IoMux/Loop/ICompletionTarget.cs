namespace IoMux;

/// <summary>Receives the completions of the requests it submitted through a <see cref="CompletionQueue"/>. Loop thread only.</summary>
internal interface ICompletionTarget
{
    /// <summary>
    /// <paramref name="operation"/> (the target's own code) finished with <paramref name="result"/>: bytes moved, or
    /// a negative errno. For a receive, <paramref name="received"/> holds the bytes, in a shared buffer valid only
    /// during the call.
    /// </summary>
    void OnCompletion(byte operation, int result, ReadOnlySpan<byte> received);

    /// <summary>The queue is closing (its loop is being disposed): stop asking, cancel what is in flight, and let go once it completed.</summary>
    void OnQueueClosing();
}
