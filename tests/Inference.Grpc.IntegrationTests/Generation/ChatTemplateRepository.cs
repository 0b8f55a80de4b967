using System.Text.Json.Nodes;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>
/// tiny-gpt as shipped, and its weights and tokenizer under three other chat templates: none at all, one that refuses a
/// system message (raise_exception, from chat_template.jinja), and one with a construct outside the language, which
/// must fail that model's load alone.
/// </summary>
public sealed class ChatTemplateRepository : TemporaryRepositoryHost
{
    public const string NoTemplate = "no-template-gpt";
    public const string Refusing = "refusing-gpt";
    public const string Unsupported = "unsupported-template-gpt";
    public const string Splitting = "splitting-gpt";
    public const string Refusal = "System messages are not supported by this model";

    /// <summary>The unsupported filter sits on line 2, column 18 of the template.</summary>
    public const string UnsupportedTemplate = "{% for m in messages %}\n  {{ m.content | wordwrap(20) }}\n{% endfor %}";

    protected override Task WaitUntilReadyAsync() => WaitUntilModelsTriedAsync();

    protected override void Compose(string repository)
    {
        var modelJson = File.ReadAllText(Path.Combine(RepositoryPaths.TinyGptVersionDirectory, "..", "model.json"));
        AddTinyGpt(repository, "tiny-gpt", modelJson);
        Variant(repository, NoTemplate, modelJson, config => config.Remove("chat_template"), null);
        Variant(repository, Refusing, modelJson, config => config.Remove("chat_template"),
            "{% if messages[0]['role'] == 'system' %}{{ raise_exception('" + Refusal + "') }}{% endif %}" +
            "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}" +
            "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}\n");
        Variant(repository, Unsupported, modelJson, config => config["chat_template"] = UnsupportedTemplate, null);
        // Keeps what follows the last "<|im_end|>" of a content (as Qwen3 keeps what follows "</think>"): the template
        // reacts to a special token's spelling in the data, so the masked render differs from the real one.
        Variant(repository, Splitting, modelJson, config => config.Remove("chat_template"),
            "{% for m in messages %}{% set c = m['content'] %}{% if '<|im_end|>' in c %}{% set c = c.split('<|im_end|>')[-1] %}{% endif %}" +
            "{{ '<|im_start|>' + m['role'] + '\n' + c + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}");
    }

    /// <summary>A copy of tiny-gpt's version folder (the weights linked) with its tokenizer_config.json changed and a chat_template.jinja, if given.</summary>
    private static void Variant(string repository, string name, string modelJson, Action<JsonObject> changeConfig, string? templateFile)
    {
        var model = Directory.CreateDirectory(Path.Combine(repository, name)).FullName;
        File.WriteAllText(Path.Combine(model, "model.json"), modelJson);
        var version = Directory.CreateDirectory(Path.Combine(model, "1")).FullName;
        foreach (var file in Directory.GetFiles(RepositoryPaths.TinyGptVersionDirectory))
        {
            var target = Path.Combine(version, Path.GetFileName(file));
            if (Path.GetFileName(file) == "model.onnx") File.CreateSymbolicLink(target, file);
            else File.Copy(file, target);
        }
        var configPath = Path.Combine(version, "tokenizer_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        changeConfig(config);
        File.WriteAllText(configPath, config.ToJsonString());
        if (templateFile is not null) File.WriteAllText(Path.Combine(version, "chat_template.jinja"), templateFile);
    }
}
