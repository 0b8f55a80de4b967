using System.Diagnostics;
using Microsoft.Extensions.Options;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation.AttentionFusion;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Generation.PrefixCaching;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Generation;

/// <summary>
/// The repository's loader of text-generation models: decoders in Optimum's ONNX layout (model.onnx or
/// decoder_model_merged.onnx) or onnxruntime-genai's (the graph genai_config.json names). External data files are
/// found by ONNX Runtime beside the graph, whatever the working directory.
/// </summary>
public sealed class GeneratorModelLoader(
    OrtSessionFactory sessions,
    IOptions<GenerationOptions> generationOptions,
    IOptions<ExecutionOptions> executionOptions,
    GenerationMetrics metrics,
    PrefixBlockStore prefixBlocks,
    IHostApplicationLifetime lifetime,
    ILogger<GeneratorModelLoader> logger) : IModelLoader
{
    public IReadOnlyCollection<string> Tasks { get; } = [ModelConfig.TextGenerationTask];

    /// <summary>
    /// An Optimum export's graph with its attention fused (Generation:FuseAttention), or the reason it was not; null when
    /// the setting is off or the model is an onnxruntime-genai export (fused already).
    /// </summary>
    private FusedAttentionGraph? FuseAttention(GenaiConfig? genai, string modelFile, LoadStages stages)
    {
        if (!generationOptions.Value.FuseAttention || genai is not null)
        {
            return null;
        }
        var fused = GroupQueryAttentionRewrite.Rewrite(modelFile, sessions.Provider);
        stages.Mark("attention fusion");
        return fused;
    }

    public ILoadedModel Load(ModelVersionSource source)
    {
        var stages = new LoadStages();
        // The tokenizer (1-2 s for a 151k-token vocabulary, mostly Microsoft.ML.Tokenizers building its BPE tables)
        // needs nothing from ONNX Runtime's session (another 1-2 s, spent inside ONNX Runtime): both are
        // built at once, so the load waits for the longer one rather than their sum.
        var tokenizerLoad = Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            var tokenizer = ModelTokenizer.Load(source.Directory);
            return (Tokenizer: tokenizer, Took: Stopwatch.GetElapsedTime(started));
        });
        OrtSessionHandle session;
        GenaiConfig? genai;
        FusedAttentionGraph? fused = null;
        try
        {
            genai = GenaiConfig.Read(source.Directory);
            var modelFile = ModelVersionFolders.ModelFile(source.Directory, genai);
            fused = FuseAttention(genai, modelFile, stages);
            session = fused?.Model is { } graph
                ? ExternalDataFiles.Open(() => sessions.Create(graph, Path.GetDirectoryName(Path.GetFullPath(modelFile))), modelFile)
                : ExternalDataFiles.Open(sessions, modelFile);
        }
        catch
        {
            // The session's error is the load's; the tokenizer's outcome is observed so it is not reported unobserved.
            tokenizerLoad.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw;
        }
        stages.Mark("ONNX Runtime session");
        try
        {
            var (tokenizer, tokenizerTook) = tokenizerLoad.GetAwaiter().GetResult();
            stages.Mark("tokenizer wait");
            stages.Alongside("tokenizer (alongside the session)", tokenizerTook);
            var binding = KvCacheBindingSelector.Select(generationOptions.Value.KvCacheBinding, session.Provider);
            var model = new GeneratorModel(source, session, tokenizer, binding, executionOptions.Value.CudaDeviceId, sessions, generationOptions.Value, metrics, prefixBlocks,
                lifetime.ApplicationStopping, logger, stages, genai, attentionFused: fused?.Model is not null);
            var settings = model.Scheduler.Settings;
            logger.LogInformation(
                "Generator model {Model} version {Version} loaded on {Provider} ({Reason}); {Format} KV cache via {Binding}; {Layers} layers, context {Context}; " +
                "up to {Running} sequences in {Rows} per step, {Waiting} waiting, KV budget {Budget} tokens, prefill chunks of {Chunk}",
                model.Name, model.VersionText, session.Provider, session.ProviderReason, model.Layout.Format, model.Binding, model.Layout.Layers, model.ContextLength,
                settings.MaxConcurrentSequences, model.Scheduler.RowsPerStep, settings.MaxWaitingRequests, settings.KvCacheTokens, settings.PrefillChunkTokens);
            if (model.PrefixCache is { } prefix)
            {
                logger.LogInformation("Prefix caching on for {Model} version {Version}: blocks of {Tokens} tokens, {Bytes} bytes each, shared budget {Budget} bytes",
                    model.Name, model.VersionText, prefix.BlockTokens, prefix.BlockBytes, prefixBlocks.BudgetBytes);
            }
            else if (generationOptions.Value.PrefixCaching)
            {
                logger.LogInformation("Prefix caching off for {Model} version {Version}: its KV cache lives in device memory", model.Name, model.VersionText);
            }
            if (fused is { Model: not null })
            {
                logger.LogInformation("Attention of {Model} version {Version} fused at load: {Layers} layers run GroupQueryAttention, their KV cache written in place",
                    model.Name, model.VersionText, fused.Layers);
            }
            else if (fused is { Refusal: { } refusal })
            {
                logger.LogInformation("Attention of {Model} version {Version} runs as exported, not fused: {Reason}", model.Name, model.VersionText, refusal);
            }
            logger.LogInformation("Generator model {Model} version {Version} load stages: {Stages}", model.Name, model.VersionText, stages);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
