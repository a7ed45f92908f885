using IoMux.Native;

namespace IoMux.Transport;

/// <summary>How each I/O model waits for the kernel's answer to a connect.</summary>
internal sealed unsafe partial class ConnectAttempt
{
    /// <summary>Readiness: the socket turns writable when the connect finished, either way; SO_ERROR says which.</summary>
    private void WaitWritable()
    {
        try
        {
            _loop.Register(_socket!, Interest.Write, this);
            _registered = true;
        }
        catch (DescriptorRefusedException e)
        {
            CloseSocket();
            Finish(Failure(ConnectError.Other, null, $"failed: {e.Message}"));
        }
        catch (SyscallException e)
        {
            Failed(e.Errno, binding: false);
        }
    }

    void ILoopHandler.OnReady(Readiness readiness)
    {
        if (!_registered)
        {
            return; // re-reported after the attempt moved on
        }
        _registered = false;
        _loop.Selector.Unregister(_socket!.Fd);
        Errno errno = Sockets.PendingError(_socket.Fd);
        if (errno == 0)
        {
            Connected();
        }
        else
        {
            Failed(errno, binding: false);
        }
    }

    /// <summary>Completion: an io_uring connect request; the slot is held only while one is in flight.</summary>
    private void SubmitConnect(byte* address, uint length)
    {
        CompletionQueue completions = _loop.Completions;
        try
        {
            _slot = completions.Attach(this);
        }
        catch (InvalidOperationException e)
        {
            CloseSocket();
            Finish(Failure(ConnectError.Other, null, $"failed: {e.Message}"));
            return;
        }
        _inFlight = true;
        completions.Connect(_slot, ConnectOperation, _socket!.Fd, address, length);
    }

    private void CancelConnect()
    {
        CompletionQueue completions = _loop.Completions;
        if (!completions.IsClosed)
        {
            completions.Cancel(_slot, ConnectOperation);
        }
    }

    void ICompletionTarget.OnCompletion(byte operation, int result, ReadOnlySpan<byte> received)
    {
        _inFlight = false;
        _loop.Completions.Detach(_slot);
        _slot = -1;
        if (_abandoned is not null)
        {
            // A connect that won the race with its cancel is dropped all the same: its outcome was decided.
            CloseSocket();
            Finish(Abandoned());
        }
        else if (result == 0)
        {
            Connected();
        }
        else
        {
            Failed((Errno)(-result), binding: false);
        }
    }

    /// <summary>The loop is closing: give the connect up; the queue reaps the cancelled request before it goes.</summary>
    void ICompletionTarget.OnQueueClosing()
    {
        if (_active)
        {
            Abandon(ConnectError.Cancelled);
        }
    }

    /// <summary>
    /// An outcome the kernel gave at once, while <see cref="Connector.Connect"/> was still running: delivered on the
    /// loop's next turn (a re-queue: nothing allocated), so a handler is never called back from inside its own
    /// Connect. Its own loop handler, so that a re-queue left over from an earlier use can never pass for a
    /// readiness event of this one.
    /// </summary>
    private sealed class DeferredOutcome(ConnectAttempt attempt) : ILoopHandler
    {
        private ConnectException? _failure;
        private bool _pending;

        /// <summary>Holds the outcome (null: connected) for the next turn.</summary>
        public void Defer(ConnectException? failure)
        {
            _failure = failure;
            _pending = true;
            attempt._loop.Requeue(this, Readiness.Write);
        }

        /// <summary>Forgets a held outcome (the attempt was given up or finished); its re-queue then does nothing.</summary>
        public void Drop()
        {
            _pending = false;
            _failure = null;
        }

        void ILoopHandler.OnReady(Readiness readiness)
        {
            if (!_pending)
            {
                return;
            }
            ConnectException? failure = _failure;
            Drop();
            if (failure is null)
            {
                attempt.Connected();
            }
            else
            {
                attempt.Finish(failure);
            }
        }
    }
}
