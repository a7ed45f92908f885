using System.IO.Pipelines;
using IoMux.Pipelines;

namespace IoMux.Tests.Pipelines;

public sealed class LoopPipeSchedulerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void Work_scheduled_from_other_threads_runs_on_the_loop_thread_in_order()
    {
        using var loop = new EventLoop();
        var thread = new Thread(loop.Run) { IsBackground = true };
        thread.Start();
        LoopPipeScheduler scheduler = LoopPipeScheduler.For(loop);
        var seen = new List<int>();
        bool allOnLoop = true;
        using var done = new CountdownEvent(1000);
        Parallel.For(0, 4, worker =>
        {
            for (int i = 0; i < 250; i++)
            {
                int item = (worker * 1000) + i;
                scheduler.Schedule(_ =>
                {
                    allOnLoop &= loop.IsLoopThread;
                    seen.Add(item);
                    done.Signal();
                }, null);
            }
        });

        Assert.True(done.Wait(Bound), $"only {seen.Count} of 1000 continuations ran");
        Assert.True(allOnLoop, "a continuation ran off the loop thread");
        foreach (IGrouping<int, int> perWorker in seen.GroupBy(item => item / 1000))
        {
            Assert.Equal(perWorker.OrderBy(item => item), perWorker); // each thread's work keeps its order
        }
        loop.Stop();
        thread.Join();
    }

    [Fact]
    public void Work_the_loop_thread_schedules_inside_a_batch_runs_when_the_batch_ends_in_the_same_turn()
    {
        using var loop = new EventLoop();
        var thread = new Thread(loop.Run) { IsBackground = true };
        thread.Start();
        LoopPipeScheduler scheduler = LoopPipeScheduler.For(loop);
        var order = new List<string>();
        using var done = new ManualResetEventSlim();
        loop.Post(() =>
        {
            scheduler.BeginBatch();
            scheduler.Schedule(_ => order.Add("scheduled"), null);
            order.Add("batch body");
            scheduler.EndBatch();
            order.Add("after the batch");
            done.Set();
        });

        Assert.True(done.Wait(Bound), "the loop did not run the posted batch");
        Assert.Equal(["batch body", "scheduled", "after the batch"], order);
        loop.Stop();
        thread.Join();
    }

    [Fact]
    public void Each_loop_has_one_scheduler()
    {
        using var first = new EventLoop();
        using var second = new EventLoop();
        Assert.Same(LoopPipeScheduler.For(first), LoopPipeScheduler.For(first));
        Assert.NotSame(LoopPipeScheduler.For(first), LoopPipeScheduler.For(second));
        Assert.Same(first, LoopPipeScheduler.For(first).Loop);
    }

    [Fact]
    public async Task A_pipe_reader_on_the_loop_scheduler_resumes_on_the_loop_thread()
    {
        using var loop = new EventLoop();
        var thread = new Thread(loop.Run) { IsBackground = true };
        thread.Start();
        var pipe = new Pipe(new PipeOptions(readerScheduler: LoopPipeScheduler.For(loop), useSynchronizationContext: false));
        var resumedOnLoop = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var armed = new ManualResetEventSlim();
        loop.Post(() =>
        {
            ValueTask<ReadResult> read = pipe.Reader.ReadAsync();
            armed.Set();
            read.GetAwaiter().UnsafeOnCompleted(() =>
            {
                ReadResult result = read.GetAwaiter().GetResult();
                pipe.Reader.AdvanceTo(result.Buffer.End);
                resumedOnLoop.SetResult(loop.IsLoopThread && result.Buffer.Length == 3);
            });
        });
        Assert.True(armed.Wait(Bound), "the loop did not run the posted read");
        await pipe.Writer.WriteAsync(new byte[] { 1, 2, 3 });

        Assert.True(await resumedOnLoop.Task.WaitAsync(Bound), "the reader's continuation ran off the loop, or saw the wrong bytes");
        loop.Stop();
        thread.Join();
    }

    [Fact]
    public void Work_scheduled_after_the_loop_is_disposed_is_dropped_without_throwing()
    {
        var loop = new EventLoop();
        LoopPipeScheduler scheduler = LoopPipeScheduler.For(loop);
        loop.Dispose();
        bool ran = false;
        scheduler.Schedule(_ => ran = true, null);
        Assert.False(ran);
    }
}
