namespace IoMux.Testing;

/// <summary>
/// What a process's open descriptors name, read from /proc/PID/fd (<c>socket:[inode]</c>, <c>pipe:[inode]</c>,
/// <c>anon_inode:[eventfd]</c>, a path); compiled into each test project that counts or looks for them.
/// </summary>
internal static class OpenDescriptors
{
    /// <summary>The targets of <paramref name="process"/>'s descriptors ("self" for this one); one closed while it is read is left out.</summary>
    public static List<string> Targets(string process = "self")
    {
        var targets = new List<string>();
        foreach (string entry in Directory.EnumerateFileSystemEntries($"/proc/{process}/fd"))
        {
            try
            {
                if (new FileInfo(entry).LinkTarget is { } target)
                {
                    targets.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed between the listing and the read (the listing's own descriptor, say).
            }
        }
        return targets;
    }
}
