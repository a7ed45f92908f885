namespace IoMux.Cli.Demos.Models;

/// <summary>
/// The task every model performs: a producer sends <see cref="Messages"/> rounds of one
/// <see cref="MessageSize"/>-byte message to each of <see cref="Channels"/> channels, pausing
/// <see cref="Pause"/> between rounds (data arrives over time, as on a network), then closes them.
/// The model must read every byte until every channel reports EOF.
/// </summary>
internal sealed record ModelWorkload(int Channels, int Messages, int MessageSize, TimeSpan Pause)
{
    public static ModelWorkload Default { get; } = new(8, 200, 64, TimeSpan.FromMilliseconds(1));

    public long TotalBytes => (long)Channels * Messages * MessageSize;

    public void Validate()
    {
        if (Channels is < 1 or > 512)
        {
            throw new ArgumentException($"--channels {Channels} is out of range; give 1 to 512 (one thread each in the threads model)");
        }
        if (Messages < 1)
        {
            throw new ArgumentException($"--messages {Messages} is not positive; give the rounds each channel receives (200 is the default)");
        }
        if (MessageSize is < 1 or > 4096)
        {
            throw new ArgumentException($"message size {MessageSize} is out of range; give 1 to 4096 bytes");
        }
    }
}
