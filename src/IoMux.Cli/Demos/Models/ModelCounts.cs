namespace IoMux.Cli.Demos.Models;

/// <summary>
/// What a model did, counted by the model itself: bytes read, reads that returned data or EOF, reads that
/// found nothing (EAGAIN), selector waits, and the threads it used to read.
/// </summary>
internal sealed record ModelCounts(long Bytes, long Reads, long EmptyReads, long Waits, int Threads);
