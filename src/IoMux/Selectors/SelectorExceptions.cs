namespace IoMux;

/// <summary><c>Register</c> was called for a descriptor that is already registered. The selector is unchanged.</summary>
public sealed class AlreadyRegisteredException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="fd"/>, with a message that says to call Modify or Unregister instead.</summary>
    /// <param name="fd">The descriptor that is already registered.</param>
    public AlreadyRegisteredException(int fd)
        : base($"fd {fd} is already registered with this selector; call Modify to change its interest, or Unregister it first") => Fd = fd;

    /// <summary>Creates the exception with no descriptor (<see cref="Fd"/> is -1).</summary>
    public AlreadyRegisteredException() : this(-1) { }

    /// <summary>Creates the exception with <paramref name="message"/> and no descriptor (<see cref="Fd"/> is -1).</summary>
    /// <param name="message">The message that describes the error.</param>
    public AlreadyRegisteredException(string message) : base(message) => Fd = -1;

    /// <summary>Creates the exception with <paramref name="message"/>, the exception that caused it, and no descriptor.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public AlreadyRegisteredException(string message, Exception innerException) : base(message, innerException) => Fd = -1;

    /// <summary>The descriptor that is already registered, or -1 when none was given.</summary>
    public int Fd { get; }
}

/// <summary><c>Modify</c> or <c>Unregister</c> named a descriptor that is not registered. The selector is unchanged.</summary>
public sealed class NotRegisteredException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="fd"/>, with a message that says to call Register first.</summary>
    /// <param name="fd">The descriptor that is not registered.</param>
    public NotRegisteredException(int fd)
        : base($"fd {fd} is not registered with this selector; call Register first") => Fd = fd;

    /// <summary>Creates the exception with no descriptor (<see cref="Fd"/> is -1).</summary>
    public NotRegisteredException() : this(-1) { }

    /// <summary>Creates the exception with <paramref name="message"/> and no descriptor (<see cref="Fd"/> is -1).</summary>
    /// <param name="message">The message that describes the error.</param>
    public NotRegisteredException(string message) : base(message) => Fd = -1;

    /// <summary>Creates the exception with <paramref name="message"/>, the exception that caused it, and no descriptor.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public NotRegisteredException(string message, Exception innerException) : base(message, innerException) => Fd = -1;

    /// <summary>The descriptor that is not registered, or -1 when none was given.</summary>
    public int Fd { get; }
}

/// <summary>
/// The backend cannot watch this descriptor at all (select(2) stops at FD_SETSIZE, 1024). The selector is
/// unchanged; another backend may take it. The message names the limit and the backend to use instead.
/// </summary>
public class DescriptorRefusedException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception for <paramref name="fd"/>, refused by <paramref name="backend"/>.</summary>
    /// <param name="fd">The descriptor the backend refused.</param>
    /// <param name="backend">The backend that refused it.</param>
    /// <param name="message">Why, and what to use instead.</param>
    public DescriptorRefusedException(int fd, SelectorBackend backend, string message)
        : base(nameof(fd), fd, message)
    {
        Fd = fd;
        Backend = backend;
    }

    /// <summary>Creates the exception with a generic message, no descriptor (-1) and <see cref="SelectorBackend.Auto"/>.</summary>
    public DescriptorRefusedException() : this(-1, SelectorBackend.Auto, "the selector refused the descriptor") { }

    /// <summary>Creates the exception with <paramref name="message"/>, no descriptor (-1) and <see cref="SelectorBackend.Auto"/>.</summary>
    /// <param name="message">The message that describes the error.</param>
    public DescriptorRefusedException(string message) : this(-1, SelectorBackend.Auto, message) { }

    /// <summary>Creates the exception with <paramref name="message"/>, the exception that caused it, and no descriptor (-1).</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public DescriptorRefusedException(string message, Exception innerException) : base(message, innerException) => Fd = -1;

    /// <summary>The descriptor the backend refused, or -1 when none was given.</summary>
    public int Fd { get; }

    /// <summary>The backend that refused it.</summary>
    public SelectorBackend Backend { get; }
}

/// <summary>The select backend was given a descriptor at or above FD_SETSIZE (1024). The selector is unchanged.</summary>
public sealed class FdSetSizeExceededException : DescriptorRefusedException
{
    /// <summary>Creates the exception for <paramref name="fd"/>, with a message that names the limit and the poll and epoll backends.</summary>
    /// <param name="fd">The descriptor, at or above 1024.</param>
    public FdSetSizeExceededException(int fd)
        : base(fd, SelectorBackend.Select, $"fd {fd} is too large for select(2), which handles descriptors below FD_SETSIZE (1024); use the poll or epoll backend") { }

    /// <summary>Creates the exception with no descriptor (<see cref="DescriptorRefusedException.Fd"/> is -1).</summary>
    public FdSetSizeExceededException() : this(-1) { }

    /// <summary>Creates the exception with <paramref name="message"/> and no descriptor.</summary>
    /// <param name="message">The message that describes the error.</param>
    public FdSetSizeExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/>, the exception that caused it, and no descriptor.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public FdSetSizeExceededException(string message, Exception innerException) : base(message, innerException) { }
}
