namespace IoMux.Transport;

/// <summary>
/// The owner of memory a write queue holds by reference instead of copying (a completion receive's provided
/// buffer): told once the queue is done with each piece it lent, when its bytes were sent or dropped.
/// </summary>
internal interface IBufferLender
{
    /// <summary>The queue no longer needs the piece lent with <paramref name="token"/>; the kernel reads it no more.</summary>
    void GiveBack(int token);
}
