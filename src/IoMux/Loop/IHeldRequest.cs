namespace IoMux;

/// <summary>A request written to the ring only just before the loop's next wait enters the kernel (<see cref="CompletionQueue.HoldUntilEnter"/>).</summary>
internal interface IHeldRequest
{
    /// <summary>Writes the request now, if it is still wanted. Loop thread, once per hold.</summary>
    void SubmitHeld();
}
