using System.Globalization;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Serving;

/// <summary>
/// The real service (MlStack.Testing's in-process host) over a temporary model repository that holds the real
/// all-MiniLM-L6-v2 (linked from the shipped repository), the tiny tensor test model, a broken model, a
/// text-generation model with tiny-gpt's weights and a broken text-generation model. Only MiniLM and the tensor model
/// load at start; the others are loaded through the repository API by the tests.
/// </summary>
public class InferenceServer : InferenceHost
{
    public const string TinyTensor = "tiny-tensor";
    public const string Broken = "broken";
    public const string TinyGenerator = "tiny-generator";
    public const string BrokenGenerator = "broken-generator";
    public const int MaxReceiveMessageSize = 1024 * 1024;

    private readonly string _repository = Directory.CreateTempSubdirectory("mlstack-models-").FullName;

    public override string RepositoryPath => _repository;

    /// <summary>Models loaded at start; readiness waits for all of them.</summary>
    protected virtual string[] StartupModelNames => [MiniLm, TinyTensor];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ModelRepository:InstallDefaultModel", "false"),
        new("Grpc:MaxReceiveMessageSize", MaxReceiveMessageSize.ToString(CultureInfo.InvariantCulture)),
        .. StartupModels(StartupModelNames),
    ];

    public override Task InitializeAsync()
    {
        Directory.CreateSymbolicLink(Path.Combine(_repository, MiniLm), EnsureMiniLm());
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models"), _repository);
        // The text-generation fixture gets the shipped tiny-gpt weights, so a real decoder loads.
        Directory.CreateSymbolicLink(Path.Combine(_repository, TinyGenerator, "1"), RepositoryPaths.TinyGptVersionDirectory);
        return base.InitializeAsync();
    }

    /// <summary>The server still answers valid requests: a tensor sum on the tiny model and an embedding.</summary>
    public async Task AssertServingAsync()
    {
        var response = await Inference.ModelInferAsync(KServe.TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [4, 3, 2, 1]));
        Assert.Equal([5f, 5, 5, 5], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
        var embedding = await Embeddings.EmbedAsync(new V1.EmbedRequest { Texts = { "still here" } });
        Assert.Equal(384, embedding.Embeddings[0].Values.Count);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_repository, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Shared by the test classes that need a healthy server (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<InferenceServer>
{
    public const string Name = "inference server";
}
