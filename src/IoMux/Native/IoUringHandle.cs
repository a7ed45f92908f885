using System.Runtime.InteropServices;

namespace IoMux.Native;

/// <summary>
/// Owns an io_uring instance: the ring descriptor and its three mappings (submission ring, completion
/// ring, submission entries; the two rings share one mapping when the kernel has IORING_FEAT_SINGLE_MMAP).
/// Released exactly once: every mapping is unmapped, then the descriptor closed.
/// </summary>
internal sealed unsafe class IoUringHandle : SafeHandle
{
    private byte* _sqRing;
    private nuint _sqRingSize;
    private byte* _cqRing;
    private nuint _cqRingSize;
    private byte* _sqes;
    private nuint _sqesSize;

    public IoUringHandle(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle.ToInt64() < 0;

    public int Fd => (int)handle.ToInt64();

    public byte* SqRing => _sqRing;

    public byte* CqRing => _cqRing;

    public byte* Sqes => _sqes;

    /// <summary>Maps the rings described by <paramref name="p"/>; on failure, whatever was mapped is released with the handle.</summary>
    public void Map(in IoUringParams p)
    {
        _sqRingSize = p.SqOff.Array + (p.SqEntries * sizeof(uint));
        _cqRingSize = p.CqOff.Cqes + (p.CqEntries * (uint)sizeof(IoUringCqe));
        bool single = (p.Features & IoUringConstants.IORING_FEAT_SINGLE_MMAP) != 0;
        if (single)
        {
            _sqRingSize = Math.Max(_sqRingSize, _cqRingSize);
        }
        _sqRing = MapRegion(_sqRingSize, IoUringConstants.IORING_OFF_SQ_RING, "mmap(IORING_OFF_SQ_RING)");
        if (single)
        {
            _cqRing = _sqRing;
        }
        else
        {
            _cqRing = MapRegion(_cqRingSize, IoUringConstants.IORING_OFF_CQ_RING, "mmap(IORING_OFF_CQ_RING)");
        }
        _sqesSize = p.SqEntries * (nuint)sizeof(IoUringSqe);
        _sqes = MapRegion(_sqesSize, IoUringConstants.IORING_OFF_SQES, "mmap(IORING_OFF_SQES)");
    }

    protected override bool ReleaseHandle()
    {
        bool ok = true;
        if (_sqes is not null)
        {
            ok &= Libc.Munmap(_sqes, _sqesSize) == 0;
        }
        if (_cqRing is not null && _cqRing != _sqRing)
        {
            ok &= Libc.Munmap(_cqRing, _cqRingSize) == 0;
        }
        if (_sqRing is not null)
        {
            ok &= Libc.Munmap(_sqRing, _sqRingSize) == 0;
        }
        _sqes = _cqRing = _sqRing = null;
        return Libc.Close(Fd) == 0 && ok;
    }

    private byte* MapRegion(nuint size, long offset, string call)
    {
        void* p = Libc.Mmap(null, size, IoUringConstants.PROT_READ | IoUringConstants.PROT_WRITE,
            IoUringConstants.MAP_SHARED | IoUringConstants.MAP_POPULATE, Fd, offset);
        if (p == (void*)-1)
        {
            LastError.Throw(call, Fd);
        }
        return (byte*)p;
    }
}
