using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation;

/// <summary>A loaded decoder model: its ONNX Runtime session, tokenizer, chat template and defaults.</summary>
public sealed class GeneratorModel : IDisposable
{
    private readonly OrtMemoryInfo _cacheMemory;
    private readonly Lazy<ChatTemplate> _parsedTemplate;

    public GeneratorModel(string name, string version, string directory, OrtSessionHandle session,
        KvCacheBinding binding, int cudaDeviceId, string? description)
    {
        Name = name;
        Version = version;
        Directory = directory;
        Session = session;
        Binding = binding;
        Description = description ?? string.Empty;
        Layout = DecoderLayout.Read(session.Session);
        Tokenizer = ModelTokenizer.Load(directory);
        Defaults = GenerationDefaults.Read(directory, Tokenizer);
        ChatTemplate = ReadChatTemplate(directory);
        _parsedTemplate = new Lazy<ChatTemplate>(() => new ChatTemplate(ChatTemplate ?? ChatTemplates.ChatTemplate.ChatMl));
        TemplateVariables = ReadTemplateVariables(directory);
        VocabularySize = (int)session.Session.OutputMetadata["logits"].Dimensions[^1];
        if (VocabularySize <= 0)
        {
            VocabularySize = Tokenizer.Count;
        }
        _cacheMemory = session.Provider == ExecutionProviderKind.Cuda
            ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, cudaDeviceId, OrtMemType.Default)
            : OrtMemoryInfo.DefaultInstance;
    }

    public string Name { get; }
    public string Version { get; }
    public string Directory { get; }
    public string Description { get; }
    public OrtSessionHandle Session { get; }
    public KvCacheBinding Binding { get; }
    public DecoderLayout Layout { get; }
    public ModelTokenizer Tokenizer { get; }
    public GenerationDefaults Defaults { get; }
    public int VocabularySize { get; }

    /// <summary>The Jinja chat template of tokenizer_config.json, or null (ChatML is used then).</summary>
    public string? ChatTemplate { get; }

    public int ContextLength => Defaults.ContextLength;

    /// <summary>The chat template parsed once (ChatML when the model has none); throws ChatTemplateException if unsupported.</summary>
    public ChatTemplate ParsedChatTemplate => _parsedTemplate.Value;

    /// <summary>bos_token / eos_token of tokenizer_config.json, which templates such as Llama 3's print.</summary>
    public IReadOnlyDictionary<string, object?> TemplateVariables { get; }

    public IDecoderRunner CreateRunner(RunOptions runOptions, bool useCache = true) =>
        Binding == KvCacheBinding.IoBinding && useCache
            ? new IoBindingDecoderRunner(Session.Session, Layout, _cacheMemory, ContextLength, VocabularySize, runOptions)
            : new OrtValueDecoderRunner(Session.Session, Layout, ContextLength, VocabularySize, runOptions, useCache);

    public void Dispose()
    {
        Session.Dispose();
        if (!ReferenceEquals(_cacheMemory, OrtMemoryInfo.DefaultInstance))
        {
            _cacheMemory.Dispose();
        }
    }

    private static Dictionary<string, object?> ReadTemplateVariables(string directory)
    {
        var variables = new Dictionary<string, object?> { ["bos_token"] = string.Empty, ["eos_token"] = string.Empty };
        var path = Path.Combine(directory, "tokenizer_config.json");
        if (!File.Exists(path))
        {
            return variables;
        }
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var name in new[] { "bos_token", "eos_token" })
        {
            if (config.RootElement.TryGetProperty(name, out var token))
            {
                variables[name] = token.ValueKind switch
                {
                    JsonValueKind.String => token.GetString(),
                    JsonValueKind.Object when token.TryGetProperty("content", out var content) => content.GetString(),
                    _ => string.Empty,
                };
            }
        }
        return variables;
    }

    private static string? ReadChatTemplate(string directory)
    {
        var path = Path.Combine(directory, "tokenizer_config.json");
        if (!File.Exists(path))
        {
            return null;
        }
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        if (!config.RootElement.TryGetProperty("chat_template", out var template))
        {
            return null;
        }
        // Some exports store a list of named templates; the "default" one is the chat template.
        if (template.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in template.EnumerateArray())
            {
                if (entry.TryGetProperty("name", out var name) && name.GetString() == "default")
                {
                    return entry.GetProperty("template").GetString();
                }
            }
            return null;
        }
        return template.ValueKind == JsonValueKind.String ? template.GetString() : null;
    }
}
