using IoMux.Cli.Scaling;

namespace IoMux.Cli.Tests.Scaling;

public sealed class DescriptorBudgetTests
{
    [Fact]
    public void Sizes_that_fit_are_kept_in_order()
    {
        (IReadOnlyList<int> sizes, IReadOnlyList<string> notes) = DescriptorBudget.Fit([1024, 64, 256], 20000, 40);
        Assert.Equal([64, 256, 1024], sizes);
        Assert.Empty(notes);
    }

    [Fact]
    public void A_size_past_the_limit_is_capped_to_the_largest_that_fits_and_says_so()
    {
        (IReadOnlyList<int> sizes, IReadOnlyList<string> notes) = DescriptorBudget.Fit([64, 16384], 20000, 40);
        // (20000 - 40 open - 32 reserved) / 2 = 9964 pairs, rounded down to a multiple of 256.
        Assert.Equal([64, 9728], sizes);
        Assert.Equal(["N=16384 needs 32768 descriptors but the limit is 20000 (40 already open): capped to N=9728, the largest multiple of 256 that fits"], notes);
    }

    [Fact]
    public void Two_sizes_past_the_limit_share_one_cap()
    {
        (IReadOnlyList<int> sizes, IReadOnlyList<string> notes) = DescriptorBudget.Fit([16384, 32768], 20000, 40);
        Assert.Equal([9728], sizes);
        Assert.Equal(2, notes.Count);
        Assert.EndsWith("skipped, N=9728 (the cap) is already measured", notes[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_too_small_for_any_pair_skips_with_the_fix()
    {
        (IReadOnlyList<int> sizes, IReadOnlyList<string> notes) = DescriptorBudget.Fit([64], 40, 40);
        Assert.Empty(sizes);
        Assert.Contains("ulimit -Hn", notes[0], StringComparison.Ordinal);
    }
}
