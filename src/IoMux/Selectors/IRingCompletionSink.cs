using IoMux.Native;

namespace IoMux;

/// <summary>Takes the completions of requests that share an <see cref="IoUringSelector"/>'s ring but are not its polls.</summary>
internal interface IRingCompletionSink
{
    void OnCompletion(in IoUringCqe cqe);

    /// <summary>
    /// Whether a completion reaped in this wait asked for the wait to end (and clears the request), so work it left
    /// for the loop's turn (a re-queued flush) runs now instead of when something else ends the wait.
    /// </summary>
    bool TakeEndOfWait();

    /// <summary>The kernel dropped completions (EBADR) without saying whose: find the requests they belonged to.</summary>
    void OnCompletionsLost();
}
