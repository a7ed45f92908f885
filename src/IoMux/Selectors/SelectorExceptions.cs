namespace IoMux;

/// <summary><c>Register</c> was called for a descriptor that is already registered. The selector is unchanged.</summary>
public sealed class AlreadyRegisteredException : InvalidOperationException
{
    public AlreadyRegisteredException(int fd)
        : base($"fd {fd} is already registered with this selector; call Modify to change its interest, or Unregister it first") => Fd = fd;

    public AlreadyRegisteredException() : this(-1) { }

    public AlreadyRegisteredException(string message) : base(message) => Fd = -1;

    public AlreadyRegisteredException(string message, Exception innerException) : base(message, innerException) => Fd = -1;

    public int Fd { get; }
}

/// <summary><c>Modify</c> or <c>Unregister</c> named a descriptor that is not registered. The selector is unchanged.</summary>
public sealed class NotRegisteredException : KeyNotFoundException
{
    public NotRegisteredException(int fd)
        : base($"fd {fd} is not registered with this selector; call Register first") => Fd = fd;

    public NotRegisteredException() : this(-1) { }

    public NotRegisteredException(string message) : base(message) => Fd = -1;

    public NotRegisteredException(string message, Exception innerException) : base(message, innerException) => Fd = -1;

    public int Fd { get; }
}

/// <summary>
/// The backend cannot watch this descriptor at all (select(2) stops at FD_SETSIZE, 1024). The selector is
/// unchanged; another backend may take it. The message names the limit and the backend to use instead.
/// </summary>
public class DescriptorRefusedException : ArgumentOutOfRangeException
{
    public DescriptorRefusedException(int fd, SelectorBackend backend, string message)
        : base(nameof(fd), fd, message)
    {
        Fd = fd;
        Backend = backend;
    }

    public DescriptorRefusedException() : this(-1, SelectorBackend.Auto, "the selector refused the descriptor") { }

    public DescriptorRefusedException(string message) : this(-1, SelectorBackend.Auto, message) { }

    public DescriptorRefusedException(string message, Exception innerException) : base(message, innerException) => Fd = -1;

    public int Fd { get; }

    /// <summary>The backend that refused it.</summary>
    public SelectorBackend Backend { get; }
}

/// <summary>The select backend was given a descriptor at or above FD_SETSIZE (1024). The selector is unchanged.</summary>
public sealed class FdSetSizeExceededException : DescriptorRefusedException
{
    public FdSetSizeExceededException(int fd)
        : base(fd, SelectorBackend.Select, $"fd {fd} is too large for select(2), which handles descriptors below FD_SETSIZE (1024); use the poll or epoll backend") { }

    public FdSetSizeExceededException() : this(-1) { }

    public FdSetSizeExceededException(string message) : base(message) { }

    public FdSetSizeExceededException(string message, Exception innerException) : base(message, innerException) { }
}
