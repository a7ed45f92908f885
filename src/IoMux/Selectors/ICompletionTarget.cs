namespace IoMux;

/// <summary>Receives the completions of the requests it submitted through <see cref="IoUringCompletions"/>. Loop thread only.</summary>
internal interface ICompletionTarget
{
    /// <summary><paramref name="operation"/> (the caller's own code, 0-127) finished with <paramref name="result"/> (a negative errno on failure).</summary>
    void OnCompletion(byte operation, int result, uint flags);
}
