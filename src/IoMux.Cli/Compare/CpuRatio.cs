namespace IoMux.Cli.Compare;

/// <summary>
/// How a server's CPU per message compares with the reference's: the median, over the rounds, of the ratio in each
/// round. The servers take turns within a round, so a busy moment on a shared machine lands on one round's pair
/// instead of tilting a sum, and one bad round of five cannot move the result.
/// </summary>
internal readonly record struct CpuRatio(double Total, double User, double System)
{
    public static CpuRatio Between(Measurement server, Measurement reference)
    {
        int rounds = Math.Min(server.CpuByRound.Count, reference.CpuByRound.Count);
        return new(
            Median(server, reference, rounds, c => c.Total),
            Median(server, reference, rounds, c => c.User),
            Median(server, reference, rounds, c => c.System));
    }

    // A round in which the reference spent no measurable time of a kind (below /proc's 10 ms tick) has no ratio; with
    // none left the ratio is NaN, shown as "–" rather than infinity.
    private static double Median(Measurement server, Measurement reference, int rounds, Func<CpuPerMessage, double> figure)
    {
        double[] ratios = [.. Enumerable.Range(0, rounds)
            .Where(r => figure(reference.CpuByRound[r]) > 0 && double.IsFinite(figure(server.CpuByRound[r])))
            .Select(r => figure(server.CpuByRound[r]) / figure(reference.CpuByRound[r]))
            .Order()];
        return ratios.Length switch
        {
            0 => double.NaN,
            int n when n % 2 == 1 => ratios[n / 2],
            int n => (ratios[(n / 2) - 1] + ratios[n / 2]) / 2,
        };
    }
}
