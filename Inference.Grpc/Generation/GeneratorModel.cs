using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.Generation.Constraints;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Generation.PrefixCaching;
using MlStack.Inference.Generation.Scheduling;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Inference.Tensors;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Generation;

/// <summary>
/// A loaded version of a decoder model: its ONNX Runtime session, tokenizer, chat template, defaults, and the
/// <see cref="GenerationScheduler"/> that batches its running sequences. Unloading drains the scheduler first.
/// </summary>
public sealed class GeneratorModel : ILoadedModel
{
    private readonly OrtMemoryInfo _cacheMemory;

    public GeneratorModel(ModelVersionSource source, OrtSessionHandle session, ModelTokenizer tokenizer, KvCacheBinding binding, int cudaDeviceId, OrtSessionFactory sessions,
        GenerationOptions options, GenerationMetrics metrics, PrefixBlockStore prefixBlocks, CancellationToken stopping, ILogger logger,
        LoadStages stages, GenaiConfig? genai, bool attentionFused)
    {
        Name = source.Name;
        Version = source.Version;
        VersionText = source.VersionText;
        Directory = source.Directory;
        Config = source.Config;
        Session = session;
        Genai = genai;
        AttentionFused = attentionFused;
        Layout = DecoderLayout.Read(session.Session, Genai, Path.GetFileName(ModelVersionFolders.ModelFile(Directory, Genai)), attentionFused);
        stages.Mark("layout");
        Tokenizer = tokenizer;
        Defaults = GenerationDefaults.Read(Directory, Tokenizer, Genai);
        stages.Mark("defaults");
        ChatTemplates = ChatTemplateSet.Load(Directory);
        TemplateVariables = ReadTemplateVariables(Directory);
        stages.Mark("chat template");
        VocabularySize = (int)session.Session.OutputMetadata[Layout.LogitsName].Dimensions[^1];
        ToolCalls = ToolCallParsers.Resolve(Config.ToolCallParser, ChatTemplates, Tokenizer);
        stages.Mark("tool calls");
        if (VocabularySize <= 0)
        {
            VocabularySize = Tokenizer.Count;
        }
        Inputs = TensorSpec.Describe(session.Session.InputMetadata, null, batched: false);
        Outputs = TensorSpec.Describe(session.Session.OutputMetadata, null, batched: false);
        Tags = GenerationMetrics.Tags(Name, VersionText);

        Binding = binding;
        // Under CUDA with IOBinding the cache lives in device memory and is rebuilt there; with IOBinding on CPU
        // (the tests of that path) the same code runs on host memory.
        _cacheMemory = binding == KvCacheBinding.IoBinding && session.Provider == ExecutionProviderKind.Cuda
            ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, cudaDeviceId, OrtMemType.Default)
            : OrtMemoryInfo.DefaultInstance;
        CacheRebuilder = binding == KvCacheBinding.IoBinding
            ? new GraphKvCacheRebuilder(Layout, sessions, _cacheMemory)
            : new HostKvCacheRebuilder(Layout);
        stages.Mark("KV cache rebuilder");
        // Blocks are host data; a cache on a device would need a device-side transfer first (not built yet).
        PrefixCache = options.PrefixCaching && ReferenceEquals(_cacheMemory, OrtMemoryInfo.DefaultInstance)
            ? new ModelPrefixCache(prefixBlocks, new HostKvBlockTransfer(Layout, options.PrefixCacheBlockTokens), Name, VersionText, Tags, metrics)
            : null;
        stages.Mark("prefix cache");
        Constraints = new ConstraintCompiler(Tokenizer, VocabularySize, Defaults.EosTokenIds);
        Scheduler = new GenerationScheduler(this, SchedulerSettings.Resolve(Config.Generation, options, ContextLength), metrics, stopping, logger);
        stages.Mark("scheduler");
    }

    public string Name { get; }
    public long Version { get; }
    public string VersionText { get; }
    public string Directory { get; }
    public ModelConfig Config { get; }
    public string Description => Config.Description ?? string.Empty;
    public OrtSessionHandle Session { get; }
    public ExecutionProviderKind Provider => Session.Provider;
    public KvCacheBinding Binding { get; }
    public DecoderLayout Layout { get; }

    /// <summary>An Optimum export whose attention was fused into GroupQueryAttention at load (its cache a shared buffer).</summary>
    public bool AttentionFused { get; }

    /// <summary>The folder's genai_config.json (an onnxruntime-genai export), or null (an Optimum export).</summary>
    public GenaiConfig? Genai { get; }
    public ModelTokenizer Tokenizer { get; }
    public GenerationDefaults Defaults { get; }
    public int VocabularySize { get; }
    public TensorSpec[] Inputs { get; }
    public TensorSpec[] Outputs { get; }

    /// <summary>Sequences waiting for a place in the batch.</summary>
    public int PendingCount => Scheduler.Waiting;

    /// <summary>The model and version labels of its metrics.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public GenerationScheduler Scheduler { get; }

    /// <summary>Constrained decoding for this model's vocabulary (structured outputs, required tool calls).</summary>
    public ConstraintCompiler Constraints { get; }

    /// <summary>How its KV cache is rebuilt when the batch changes (in the memory the cache lives in).</summary>
    public KvCacheRebuilder CacheRebuilder { get; }

    /// <summary>Its automatic prefix cache; null when Generation:PrefixCaching is off or the KV cache lives on a device.</summary>
    public ModelPrefixCache? PrefixCache { get; }

    /// <summary>The model's chat templates, parsed at load; null when it has none (Chat is refused then, Generate works).</summary>
    public ChatTemplateSet? ChatTemplates { get; }

    public int ContextLength => Defaults.ContextLength;

    /// <summary>The model's tool-call syntax (model.json tool_call_parser, else detected); null: it takes no tools.</summary>
    public ToolCallParser? ToolCalls { get; }

    /// <summary>The special tokens of tokenizer_config.json that transformers passes to the template (bos_token, eos_token, ...).</summary>
    public IReadOnlyDictionary<string, object?> TemplateVariables { get; }

    /// <summary>
    /// A decoder step for one batch (each batch and the prefill have their own: a step is not thread-safe). A shared
    /// buffer is always bound in place, wherever it lives; a concatenated cache travels as <see cref="Binding"/> says.
    /// </summary>
    public DecoderStep CreateStep() =>
        Layout.Format == KvCacheFormat.SharedBuffer ? new SharedBufferDecoderStep(Session.Session, Layout, ContextLength, VocabularySize)
        : Binding == KvCacheBinding.IoBinding ? new IoBindingDecoderStep(Session.Session, Layout, _cacheMemory, ContextLength, VocabularySize)
        : new OrtValueDecoderStep(Session.Session, Layout, ContextLength, VocabularySize);

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync();
        PrefixCache?.Dispose(); // an unload or reload drops the load's blocks
        CacheRebuilder.Dispose();
        Session.Dispose();
        if (!ReferenceEquals(_cacheMemory, OrtMemoryInfo.DefaultInstance))
        {
            _cacheMemory.Dispose();
        }
    }

    private static Dictionary<string, object?> ReadTemplateVariables(string directory)
    {
        // transformers passes its special_tokens_map: the tokens that are set, by name.
        var variables = new Dictionary<string, object?>();
        var path = Path.Combine(directory, ChatTemplateSet.TokenizerConfigFileName);
        if (!File.Exists(path))
        {
            return variables;
        }
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var name in new[] { "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token" })
        {
            if (config.RootElement.TryGetProperty(name, out var token) && TokenText(token) is { } text)
            {
                variables[name] = text;
            }
        }
        if (config.RootElement.TryGetProperty("additional_special_tokens", out var extra) && extra.ValueKind == JsonValueKind.Array)
        {
            variables["additional_special_tokens"] = extra.EnumerateArray().Select(t => (object?)TokenText(t)).Where(t => t is not null).ToList();
        }
        return variables;
    }

    private static string? TokenText(JsonElement token) => token.ValueKind switch
    {
        JsonValueKind.String => token.GetString(),
        JsonValueKind.Object when token.TryGetProperty("content", out var content) => content.GetString(),
        _ => null,
    };
}
