using System.Globalization;

namespace HttpApp;

/// <summary>The app's command line: the port on 127.0.0.1 and the transport's name.</summary>
internal sealed record Arguments(int Port, string Transport)
{
    /// <summary>The arguments, or null when they are not <c>--port PORT --transport NAME</c> with a known name.</summary>
    public static Arguments? Parse(string[] args)
    {
        int? port = null;
        string? transport = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535:
                    port = p;
                    break;
                case "--transport" when Transports.Names.Contains(args[i + 1]):
                    transport = args[i + 1];
                    break;
                default:
                    return null;
            }
        }
        return args.Length % 2 == 0 && port is { } value && transport is not null ? new Arguments(value, transport) : null;
    }
}
