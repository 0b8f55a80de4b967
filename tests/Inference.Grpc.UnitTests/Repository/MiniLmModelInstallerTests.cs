using Microsoft.Extensions.Logging.Abstractions;
using MlStack.Inference.Repository;

namespace MlStack.Inference.UnitTests.Repository;

public sealed class MiniLmModelInstallerTests
{
    [Fact]
    public void First_start_extracts_the_model_vocabulary_and_a_valid_config_once()
    {
        var repository = Directory.CreateTempSubdirectory("mlstack-install-").FullName;
        try
        {
            var installer = new MiniLmModelInstaller(NullLogger<MiniLmModelInstaller>.Instance);

            Assert.True(installer.EnsureInstalled(repository));
            Assert.False(installer.EnsureInstalled(repository)); // second start: already there

            var model = Path.Combine(repository, MiniLmModelInstaller.ModelName);
            Assert.True(new FileInfo(Path.Combine(model, "1", "model.onnx")).Length > 80_000_000);
            Assert.Contains("[CLS]", File.ReadLines(Path.Combine(model, "1", "vocab.txt")).Take(200).Select(l => l.Trim()));
            var config = ModelConfig.Read(Path.Combine(model, ModelConfig.FileName));
            config.Validate();
            Assert.Equal(ModelConfig.EmbeddingTask, config.Task);
            Assert.Equal(256, config.MaxSequenceLength);
            Assert.Empty(Directory.EnumerateFiles(model, "*.partial", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }
}

public sealed class ModelConfigTests
{
    [Theory]
    [InlineData("""{ "task": "speech" }""", "task must be")]
    [InlineData("""{ "max_batch_size": -1 }""", "max_batch_size")]
    [InlineData("""{ "dynamic_batching": {} }""", "needs max_batch_size")]
    [InlineData("""{ "max_batch_size": 4, "dynamic_batching": { "preferred_batch_size": [8] } }""", "preferred_batch_size 8")]
    [InlineData("""{ "task": "embedding", "max_batch_size": 4 }""", "tokenizer.vocab")]
    [InlineData("""{ "task": "embedding", "tokenizer": { "vocab": "v.txt" }, "pooling": "max" }""", "pooling")]
    public void Invalid_configs_are_refused_naming_the_field(string json, string message)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, json);
            var error = Assert.Throws<InvalidDataException>(() => ModelConfig.Read(path).Validate());
            Assert.Contains(message, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Text_generation_configs_are_accepted_for_the_generation_service()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "task": "text-generation", "some_generation_field": 1 }""");
            ModelConfig.Read(path).Validate();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
