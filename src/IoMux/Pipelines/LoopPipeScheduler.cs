using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace IoMux.Pipelines;

/// <summary>
/// An <see cref="EventLoop"/> as a <see cref="PipeScheduler"/>: pipe continuations given to it run on the loop
/// thread, where a <see cref="Transport.Connection"/> may be touched. Work scheduled from any thread is queued
/// here and handed to the loop in one <see cref="EventLoop.Post"/> per batch, so a busy pipe costs one wake-up per
/// loop turn, not one per continuation, and scheduling allocates nothing once the queue has grown.
/// </summary>
public sealed class LoopPipeScheduler : PipeScheduler
{
    private static readonly ConditionalWeakTable<EventLoop, LoopPipeScheduler> PerLoop = new();

    private readonly ConcurrentQueue<(Action<object?> Action, object? State)> _work = new();
    private readonly Action _drain;
    private int _posted;
    private int _batches;

    private LoopPipeScheduler(EventLoop loop)
    {
        Loop = loop;
        _drain = Drain;
    }

    /// <summary>The loop the continuations run on.</summary>
    public EventLoop Loop { get; }

    /// <summary>The scheduler of <paramref name="loop"/>: one per loop, so every pipe on it shares one queue.</summary>
    /// <param name="loop">The loop to run continuations on.</param>
    /// <returns>The loop's scheduler.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is <see langword="null"/>.</exception>
    public static LoopPipeScheduler For(EventLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        return PerLoop.GetValue(loop, static l => new LoopPipeScheduler(l));
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the loop thread at its next turn (never inline, even from the loop thread:
    /// a pipe continuation must not run inside the caller that completed it). Any thread. Once the loop is disposed
    /// the work is dropped: what it would have touched is closed.
    /// </summary>
    /// <param name="action">The continuation.</param>
    /// <param name="state">Its argument.</param>
    public override void Schedule(Action<object?> action, object? state)
    {
        ArgumentNullException.ThrowIfNull(action);
        _work.Enqueue((action, state));
        if (_batches > 0 && Loop.IsLoopThread)
        {
            return; // the loop thread is inside a batch: its end runs this, in the same turn, with no wake-up
        }
        if (Interlocked.Exchange(ref _posted, 1) == 0)
        {
            Post();
        }
    }

    /// <summary>
    /// Starts a batch on the loop thread: work the loop thread itself schedules until <see cref="EndBatch"/> waits for
    /// it instead of being posted. For an application that runs inline: what it schedules while handling a read (its
    /// flush waking the output side) runs before the turn ends, and the reply leaves in the same turn as the request.
    /// </summary>
    internal void BeginBatch() => _batches++;

    /// <summary>Ends a batch and runs what was scheduled (from any thread) so far. Loop thread.</summary>
    internal void EndBatch()
    {
        if (--_batches == 0)
        {
            Drain();
        }
    }

    private void Post()
    {
        try
        {
            Loop.Post(_drain);
        }
        catch (ObjectDisposedException)
        {
            _work.Clear();
        }
    }

    /// <summary>Runs what was queued when the batch began; work queued meanwhile goes in the next batch, so one busy pipe cannot hold the loop.</summary>
    private void Drain()
    {
        if (_batches > 0)
        {
            return; // posted from elsewhere while a batch runs: its end drains
        }
        Volatile.Write(ref _posted, 0);
        int count = _work.Count;
        try
        {
            for (int i = 0; i < count && _work.TryDequeue(out (Action<object?> Action, object? State) item); i++)
            {
                item.Action(item.State);
            }
        }
        finally
        {
            if (!_work.IsEmpty && Interlocked.Exchange(ref _posted, 1) == 0)
            {
                Post();
            }
        }
    }
}
