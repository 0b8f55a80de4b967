using MlStack.Inference.Repository;
using System.Diagnostics;
using MlStack.Inference.Batching;
using MlStack.Inference.Embeddings;
using MlStack.Inference.Execution;
using MlStack.Inference.Tensors;

namespace MlStack.Inference.Tensors;

/// <summary>
/// One loaded version of a model: its ONNX Runtime session, the tensors clients see, and its queue(s).
/// Every model takes ModelInfer through a tensor queue; embedding models also take Embed through a text queue
/// that tokenizes, pads per batch and pools.
/// </summary>
public sealed class ServableModel : ILoadedModel, IEmbeddingModel
{
    private readonly OrtSessionHandle _session;
    private readonly InferenceMetrics _metrics;
    private readonly EmbeddingRunner? _embedder;

    private ServableModel(string name, long version, ModelConfig config, OrtSessionHandle session, InferenceMetrics metrics,
        bool batchingAllowed, int maxBatchTokens, string versionDirectory)
    {
        Name = name;
        Version = version;
        VersionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Config = config;
        _session = session;
        _metrics = metrics;
        Batched = config.MaxBatchSize > 0;
        Inputs = TensorSpec.Describe(session.Session.InputMetadata, config.Inputs, Batched);
        Outputs = TensorSpec.Describe(session.Session.OutputMetadata, config.Outputs, Batched);
        var unsupported = Inputs.Concat(Outputs).FirstOrDefault(t => t.ElementSize == 0);
        if (unsupported is not null)
            throw new InvalidDataException($"Tensor {unsupported.Name} has type {unsupported.DataType}, which ModelInfer does not serve.");

        var settings = config.ToBatchingSettings(batchingAllowed);
        Batching = settings;
        var tensors = new TensorRunner(session.Session, Inputs, Outputs, Batched);
        Tensors = new DynamicBatcher<TensorWork, OutputTensor[]>(settings, batch => Run(batch, tensors.Execute), Dropped);

        if (config.Task == ModelConfig.EmbeddingTask)
        {
            SentenceTransformers = SentenceTransformersFolder.Load(versionDirectory);
            var embedder = _embedder = new EmbeddingRunner(session.Session, SentenceTransformers?.Pooling ?? config.Pooling);
            Dimensions = embedder.Dimensions;
            Tokenizer = EmbeddingTokenizer.Load(versionDirectory, config.Tokenizer?.Vocab, config.Tokenizer?.Lowercase ?? true, config.MaxSequenceLength);
            // Texts have tokens: with batching on, their queue may close batches by a token budget (0: by rows).
            Texts = new DynamicBatcher<EmbeddingWork, float[][]>(settings with { MaxBatchTokens = maxBatchTokens },
                batch => Run(batch, embedder.Execute), Dropped);
        }

        tensors.WarmUp();
    }

    public string Name { get; }
    public long Version { get; }
    public string VersionText { get; }
    public ModelConfig Config { get; }
    public bool Batched { get; }
    public TensorSpec[] Inputs { get; }
    public TensorSpec[] Outputs { get; }
    public BatchingSettings Batching { get; }
    public ExecutionProviderKind Provider => _session.Provider;
    public DynamicBatcher<TensorWork, OutputTensor[]> Tensors { get; }

    /// <summary>Embedding models only.</summary>
    public DynamicBatcher<EmbeddingWork, float[][]>? Texts { get; }
    public EmbeddingTokenizer? Tokenizer { get; }

    /// <summary>Pooling, Normalize and prompts of a sentence-transformers folder (modules.json); null for other embedding models.</summary>
    public SentenceTransformersFolder? SentenceTransformers { get; }
    public int Dimensions { get; }

    /// <summary>Requests waiting in this model's queues.</summary>
    public int PendingCount => Tensors.PendingCount + (Texts?.PendingCount ?? 0);

    /// <summary>Creates the session on the chosen provider, describes it and warms it up.</summary>
    public static ServableModel Load(string name, long version, string versionDirectory, ModelConfig config,
        OrtSessionFactory sessions, InferenceMetrics metrics, bool batchingAllowed, int maxBatchTokens = 0)
    {
        var session = ExternalDataFiles.Open(sessions, Path.Combine(versionDirectory, ModelVersionFolders.ModelFileName));
        try
        {
            var model = new ServableModel(name, version, config, session, metrics, batchingAllowed, maxBatchTokens, versionDirectory);
            if (model.Texts is not null) model.WarmUpTexts();
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private void WarmUpTexts()
    {
        var work = new EmbeddingWork([Tokenizer!.Tokenize("warm up").Ids], CancellationToken.None);
        _embedder!.Execute([work]); // directly, so warm-up never shows in the serving metrics
    }

    private int Run<TWork, TResult>(List<TWork> batch, Func<List<TWork>, int> execute) where TWork : BatchWork<TResult>
    {
        foreach (var work in batch) _metrics.Queued(Name, VersionText, work.QueueTime);
        var started = Stopwatch.GetTimestamp();
        var rows = execute(batch);
        _metrics.Executed(Name, VersionText, rows, Stopwatch.GetElapsedTime(started));
        _metrics.Batched(Name, VersionText, BatchTokens.Of(batch));
        return rows;
    }

    private void Run(List<TensorWork> batch, Func<List<TensorWork>, int> execute) => Run<TensorWork, OutputTensor[]>(batch, execute);

    private void Run(List<EmbeddingWork> batch, Func<List<EmbeddingWork>, int> execute) => Run<EmbeddingWork, float[][]>(batch, execute);

    // Dropped work is answered CANCELLED by its batcher; the request handler counts it and returns its buffers.
    private static void Dropped<TWork>(TWork work) where TWork : class
    {
    }

    /// <summary>Stops taking requests, lets queued ones finish, then frees the session.</summary>
    public async ValueTask DisposeAsync()
    {
        await Tensors.DisposeAsync();
        if (Texts is not null) await Texts.DisposeAsync();
        _session.Dispose();
    }
}
