namespace IoMux.IntegrationTests;

/// <summary>A test that runs an outside tool; skipped, naming the tool and its Debian package, where it is missing.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string package)
    {
        if (Find(tool) is null)
        {
            Skip = $"{tool} is not installed here; install the Debian package {package}";
        }
    }

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool)).FirstOrDefault(File.Exists);
}
