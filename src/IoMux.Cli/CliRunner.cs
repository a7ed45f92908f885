using System.CommandLine;

namespace IoMux.Cli;

/// <summary>
/// Runs a parsed command line with the house rules for errors: bad input is one line on stderr and
/// exit code 2, never a stack trace.
/// </summary>
internal static class CliRunner
{
    public const int UsageError = 2;

    public static int Run(RootCommand root, string[] args)
    {
        // No response files: '@name' is how a Linux abstract socket name is written (--unix @name), not a file to read arguments from.
        ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"iomux: {error.Message}");
            }
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"iomux: {e.Message}");
            return UsageError;
        }
    }
}

/// <summary>Bad input found after parsing (a port in use, a host that does not resolve…): exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException() { }

    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}
