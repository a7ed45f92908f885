namespace IoMux.IntegrationTests;

/// <summary>Every backend × trigger the machine supports, asked of the backends themselves.</summary>
public static class Combos
{
    public static TheoryData<string, string> All
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (SelectorBackend backend in new[] { SelectorBackend.Epoll, SelectorBackend.Poll, SelectorBackend.Select })
            {
                using Selector selector = Selector.Create(backend);
                foreach (Trigger trigger in Enum.GetValues<Trigger>())
                {
                    if (selector.Supports(trigger))
                    {
                        data.Add(backend.ToString().ToLowerInvariant(), trigger.ToString().ToLowerInvariant());
                    }
                }
            }
            return data;
        }
    }
}
