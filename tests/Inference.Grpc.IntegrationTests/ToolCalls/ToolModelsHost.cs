using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.ToolCalls;

/// <summary>
/// The service with tiny-llama's weights and tokenizer under Qwen 2.5's real chat template (which shows tools and
/// writes calls as &lt;tool_call&gt; JSON, so its syntax is detected as hermes), and tiny-gpt as shipped, whose template
/// shows no tools.
/// </summary>
public sealed class ToolModelsHost : TemporaryRepositoryHost
{
    public const string ToolModel = "tool-llama";
    public const string NoTools = "tiny-gpt";

    private static string QwenTemplate => Path.Combine(RepositoryPaths.Root, "tests", "Inference.Grpc.UnitTests", "Generation", "ChatTemplates", "Templates",
        "Qwen-Qwen2.5-7B-Instruct.jinja");

    protected override void Compose(string repository)
    {
        var gptJson = File.ReadAllText(Path.Combine(RepositoryPaths.TinyGptVersionDirectory, "..", "model.json"));
        AddTinyGpt(repository, NoTools, gptJson);

        var source = RepositoryPaths.GeneratorVersionDirectory("tiny-llama");
        var model = Directory.CreateDirectory(Path.Combine(repository, ToolModel)).FullName;
        File.Copy(Path.Combine(source, "..", "model.json"), Path.Combine(model, "model.json"));
        var version = Directory.CreateDirectory(Path.Combine(model, "1")).FullName;
        foreach (var file in Directory.GetFiles(source))
        {
            var target = Path.Combine(version, Path.GetFileName(file));
            if (Path.GetFileName(file) == "model.onnx") File.CreateSymbolicLink(target, file);
            else File.Copy(file, target);
        }
        File.Copy(QwenTemplate, Path.Combine(version, "chat_template.jinja"));
    }
}
