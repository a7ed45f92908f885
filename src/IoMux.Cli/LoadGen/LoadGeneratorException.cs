namespace IoMux.Cli.LoadGen;

/// <summary>The run could not start: the host does not resolve, nothing listens, connections time out, too few descriptors.</summary>
public sealed class LoadGeneratorException : Exception
{
    public LoadGeneratorException(string message) : base(message) { }

    public LoadGeneratorException(string message, Exception innerException) : base(message, innerException) { }

    public LoadGeneratorException() { }
}
