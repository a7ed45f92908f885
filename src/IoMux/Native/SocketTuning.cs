namespace IoMux.Native;

/// <summary>setsockopt/getsockopt of the integer options a connection's owner may tune.</summary>
internal static unsafe class SocketTuning
{
    public const int SO_KEEPALIVE = 9;
    public const int TCP_KEEPIDLE = 4;
    public const int TCP_KEEPINTVL = 5;
    public const int TCP_KEEPCNT = 6;
    public const int TCP_USER_TIMEOUT = 18;

    /// <summary>Sets an integer option; throws <see cref="SyscallException"/> naming <paramref name="call"/> when the kernel refuses.</summary>
    public static void Set(int fd, int level, int name, int value, string call)
    {
        LastError.Check(Libc.SetSockOpt(fd, level, name, &value, sizeof(int)), call, fd);
    }

    /// <summary>
    /// Sets a TCP-level option; false (nothing set) when the socket is not TCP (a Unix socket answers
    /// EOPNOTSUPP or ENOPROTOOPT), so one set of options serves both kinds of stream socket.
    /// </summary>
    public static bool SetTcp(int fd, int name, int value, string call)
    {
        if (Libc.SetSockOpt(fd, Constants.IPPROTO_TCP, name, &value, sizeof(int)) == 0)
        {
            return true;
        }
        Errno errno = LastError.Get();
        if (errno is Errno.EOPNOTSUPP or Errno.ENOPROTOOPT)
        {
            return false;
        }
        throw new SyscallException(call, errno, fd);
    }

    /// <summary>SO_LINGER with a zero timeout: close(2) then discards what is unsent and sends RST instead of FIN.</summary>
    public static void ResetOnClose(int fd)
    {
        long linger = 1; // struct linger { int l_onoff = 1; int l_linger = 0; }, little-endian
        LastError.Check(Libc.SetSockOpt(fd, Constants.SOL_SOCKET, Constants.SO_LINGER, &linger, sizeof(long)), "setsockopt(SO_LINGER)", fd);
    }

    /// <summary>Reads an integer option.</summary>
    public static int Get(int fd, int level, int name, string call)
    {
        int value = 0;
        uint length = sizeof(int);
        LastError.Check(Libc.GetSockOpt(fd, level, name, &value, &length), call, fd);
        return value;
    }
}
