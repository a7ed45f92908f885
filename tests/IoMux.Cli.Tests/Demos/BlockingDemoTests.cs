using IoMux.Cli.Demos;
using IoMux.Native;

namespace IoMux.Cli.Tests.Demos;

public sealed class BlockingDemoTests
{
    private static readonly BlockingDemoResult Result = BlockingDemo.Run(TimeSpan.FromMilliseconds(50));

    [Fact]
    public void The_blocking_read_is_still_waiting_when_the_writer_writes_and_then_returns_its_byte()
    {
        Assert.True(Result.BlockingReadOutwaitedWriter);
        Assert.Equal(1, Result.BlockingReadBytes);
    }

    [Fact]
    public void The_same_descriptor_made_non_blocking_returns_EAGAIN_at_once_when_empty()
    {
        Assert.Equal(Errno.EAGAIN, Result.NonBlockingErrno);
        Assert.Equal(-1, Result.Steps[1].Result);
    }

    [Fact]
    public void The_non_blocking_read_returns_data_once_there_is_some_and_the_descriptor_flips_back()
    {
        Assert.Equal(5, Result.NonBlockingBytesWithData);
        Assert.True(Result.FlippedBackToBlocking);
    }
}
