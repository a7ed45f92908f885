namespace IoMux.Cli.Compare;

/// <summary>One echo server in a comparison: a name for the table and how to start it on a port.</summary>
internal sealed record ServerSpec(string Name, string FileName, IReadOnlyList<string> Arguments, bool IsReference = false)
{
    public override string ToString() => Name;
}
