using IoMux.Native;

namespace IoMux;

/// <summary>Takes the completions of requests that share an <see cref="IoUringSelector"/>'s ring but are not its polls.</summary>
internal interface IRingCompletionSink
{
    void OnCompletion(in IoUringCqe cqe);

    /// <summary>The selector is about to enter the kernel with what the ring holds: write the requests held back for it.</summary>
    void BeforeEnter();

    /// <summary>The kernel dropped completions (EBADR) without saying whose: find the requests they belonged to.</summary>
    void OnCompletionsLost();
}
