namespace MlStack.VectorStore.Chroma;

/// <summary>Creates Chroma's tenant and database once, on first use, and tries again after a failure.</summary>
public sealed class ChromaDatabaseInitializer(ChromaClient chroma)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_ready) return;
        await _gate.WaitAsync(ct);
        try
        {
            if (_ready) return;
            await chroma.EnsureDatabaseAsync(ct);
            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
