namespace IoMux.Cli;

/// <summary>
/// How to start this same CLI again as a child: the native binary or app host on its own, or
/// <c>dotnet IoMux.Cli.dll</c> when the muxer runs it. The dll is found beside the app, not through
/// <c>Assembly.Location</c>, which is empty in a single-file or NativeAOT binary.
/// </summary>
internal static class SelfInvocation
{
    private const string AssemblyFile = "IoMux.Cli.dll";

    /// <summary>The program to start and the arguments that come before the command's own.</summary>
    public static (string File, string[] Prefix) Resolve()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path to start it again; run iomux from a file on disk");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Path.Combine(AppContext.BaseDirectory, AssemblyFile)])
            : (process, []);
    }
}
