using IoMux.Tests.Selectors;

namespace IoMux.Tests.Transport;

/// <summary>
/// Every way the transport can run here: the readiness model on each backend with each trigger it supports, and
/// the completion model on io_uring where the kernel allows it. Transport behaviour is tested once, on all of them.
/// </summary>
public static class TransportModes
{
    public static TheoryData<SelectorBackend, Trigger, IoModel> All
    {
        get
        {
            var data = new TheoryData<SelectorBackend, Trigger, IoModel>();
            foreach (object[] row in Backends.AllTriggers)
            {
                data.Add((SelectorBackend)row[0], (Trigger)row[1], IoModel.Readiness);
            }
            if (EventLoop.IsAvailable(IoModel.Completion, SelectorBackend.IoUring, out _))
            {
                data.Add(SelectorBackend.IoUring, Trigger.Level, IoModel.Completion);
            }
            return data;
        }
    }
}
