using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.HttpDoors.Vertex;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.HttpDoors.Vertex;

public sealed class VertexContractTests
{
    [Theory]
    [InlineData("\"The dog\"", "The dog", TextPredictor.Kind.Generation)]
    [InlineData("""{"prompt": "The dog"}""", "The dog", TextPredictor.Kind.Generation)]
    [InlineData("""{"text": "A cat"}""", "A cat", TextPredictor.Kind.Embedding)]
    [InlineData("""{"content": "A cat"}""", "A cat", TextPredictor.Kind.Embedding)]
    public void Instances_are_prompts_or_texts_to_embed(string json, string text, TextPredictor.Kind kind)
    {
        Assert.Equal((text, kind), VertexEndpoints.ReadInstance(JsonDocument.Parse(json).RootElement));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("""{"image": "x"}""")]
    [InlineData("""{"prompt": 3}""")]
    public void Other_instances_are_400(string json)
    {
        Assert.Equal(400, Assert.Throws<HttpDoorException>(() => VertexEndpoints.ReadInstance(JsonDocument.Parse(json).RootElement)).StatusCode);
    }

    [Fact]
    public void The_storage_uri_is_a_local_folder_or_a_bucket_under_the_fuse_mount()
    {
        Assert.Null(new VertexOptions().ModelRepositoryPath());
        Assert.Equal("/models/x", new VertexOptions { StorageUri = "/models/x" }.ModelRepositoryPath());
        Assert.Equal("/models/x", new VertexOptions { StorageUri = "file:///models/x" }.ModelRepositoryPath());
        Assert.Equal("/gcs/bucket/models", new VertexOptions { StorageUri = "gs://bucket/models/" }.ModelRepositoryPath());
    }

    [Fact]
    public void A_storage_uri_without_a_folder_fails_validation_with_what_to_do()
    {
        using var mount = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(mount.Path, "bucket", "models"));
        var mounted = new VertexOptions { StorageUri = "gs://bucket/models", GcsMountRoot = mount.Path };
        var missing = new VertexOptions { StorageUri = "gs://other/models", GcsMountRoot = mount.Path };

        Assert.Empty(Validate(mounted));
        var error = Assert.Single(Validate(missing));
        Assert.Contains("AIP_STORAGE_URI is 'gs://other/models'", error.ErrorMessage);
        Assert.Contains("Cloud Storage FUSE", error.ErrorMessage);
    }

    private static List<ValidationResult> Validate(VertexOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
