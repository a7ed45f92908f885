using IoMux.Cli.LoadGen;

namespace IoMux.Bench.Tests;

public class MessagePatternTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(65521)]
    public void A_message_filled_in_pieces_verifies_at_every_split(int size)
    {
        var pattern = new MessagePattern(size);
        byte[] message = new byte[size];
        pattern.Fill(message, connection: 5, sequence: 77, offset: 0);
        foreach (int split in new[] { 0, 1, size / 2, size - 1 }.Where(s => s >= 0 && s < size).Distinct())
        {
            Assert.Equal(-1, pattern.FirstMismatch(message.AsSpan(0, split), 5, 77, 0));
            Assert.Equal(-1, pattern.FirstMismatch(message.AsSpan(split), 5, 77, split));
            byte[] tail = new byte[size - split];
            pattern.Fill(tail, 5, 77, split);
            Assert.Equal(message.AsSpan(split).ToArray(), tail);
        }
    }

    [Fact]
    public void A_corrupted_byte_is_found_at_its_index()
    {
        var pattern = new MessagePattern(64);
        byte[] message = new byte[64];
        pattern.Fill(message, 0, 10, 0);
        message[40] ^= 0x01;
        Assert.Equal(40, pattern.FirstMismatch(message, 0, 10, 0));
        message[40] ^= 0x01;
        message[2] ^= 0x80; // inside the sequence stamp
        Assert.Equal(2, pattern.FirstMismatch(message, 0, 10, 0));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(65521)] // a size equal to the pattern's period: only the sequence stamp tells messages apart
    public void The_next_message_arriving_in_place_of_a_lost_one_is_a_mismatch(int size)
    {
        var pattern = new MessagePattern(size);
        byte[] next = new byte[size];
        pattern.Fill(next, 3, 101, 0);
        Assert.NotEqual(-1, pattern.FirstMismatch(next, 3, 100, 0));
    }

    [Fact]
    public void Another_connections_message_is_a_mismatch()
    {
        var pattern = new MessagePattern(256);
        byte[] other = new byte[256];
        pattern.Fill(other, connection: 1, sequence: 9, offset: 0);
        Assert.NotEqual(-1, pattern.FirstMismatch(other, connection: 2, sequence: 9, offset: 0));
    }
}
