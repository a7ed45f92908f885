namespace IoMux.Cli.Scaling;

/// <summary>The outcome of one <c>iomux scale</c> run: the descriptor limit it worked under, what it adjusted, and every cell.</summary>
internal sealed record ScaleReport(
    ulong FdLimitBefore,
    ulong FdLimit,
    IReadOnlyList<int> Sizes,
    IReadOnlyList<string> Notes,
    IReadOnlyList<ScaleRow> Rows);
