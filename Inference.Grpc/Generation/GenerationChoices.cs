namespace MlStack.Inference.Generation;

/// <summary>
/// The n choices of one request, read together as a door streams them: wait until any choice has a step, then take
/// every ready step, lowest choice index first. Disposing it ends every choice still running.
/// </summary>
public sealed class GenerationChoices(IReadOnlyList<GenerationStream> streams) : IDisposable
{
    // One outstanding wait per choice: a choice's channel allows a single waiting reader.
    private readonly Task<bool>?[] _waits = new Task<bool>?[streams.Count];

    public IReadOnlyList<GenerationStream> Streams => streams;

    public GeneratorModel Model => streams[0].Model;

    public int PromptTokens => streams[0].PromptTokens;

    public SamplingParameters Parameters => streams[0].Parameters;

    /// <summary>Waits until a step of any choice can be read; false once every summary has been read.</summary>
    public async ValueTask<bool> WaitToReadAsync()
    {
        if (streams.Count == 1)
        {
            return await streams[0].WaitToReadAsync(); // the one stream's own path (first token without a thread hop)
        }
        while (true)
        {
            var any = false;
            for (var i = 0; i < streams.Count; i++)
            {
                if (streams[i].Done)
                {
                    continue;
                }
                any = true;
                var wait = _waits[i] ??= streams[i].WaitToReadAsync().AsTask();
                if (wait.IsCompleted)
                {
                    _waits[i] = null;
                    await wait; // rethrows a failed choice's error
                    return true;
                }
            }
            if (!any)
            {
                return false;
            }
            await Task.WhenAny(_waits.OfType<Task<bool>>());
        }
    }

    /// <summary>A step that is ready without waiting, of the lowest choice index that has one.</summary>
    public bool TryRead(out int index, out GenerationStep step)
    {
        for (var i = 0; i < streams.Count; i++)
        {
            if (!streams[i].Done && streams[i].TryRead(out var next))
            {
                index = i;
                step = next;
                return true;
            }
        }
        index = -1;
        step = null!;
        return false;
    }

    public void Dispose()
    {
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }
}
