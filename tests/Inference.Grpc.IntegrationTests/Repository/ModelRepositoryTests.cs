using Grpc.Core;
using MlStack.Inference.IntegrationTests.KServe;
using MlStack.Inference.Repository;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.Repository;

[Collection(ServerCollection.Name)]
public sealed class ModelRepositoryTests(InferenceServer server)
{
    [Fact]
    public async Task Index_lists_loaded_versions_and_models_on_disk()
    {
        var index = await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest());

        Assert.Contains(index.Models, m => m.Name == InferenceServer.MiniLm && m.Version == "1" && m.State == "READY");
        Assert.Contains(index.Models, m => m.Name == InferenceServer.TinyTensor && m.Version == "1" && m.State == "READY");
        Assert.Contains(index.Models, m => m.Name == InferenceServer.Broken && m.State != "READY");

        var ready = await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });
        Assert.DoesNotContain(ready.Models, m => m.Name == InferenceServer.Broken);
    }

    [Fact]
    public async Task Unload_stops_serving_and_load_brings_the_model_back()
    {
        try
        {
            await server.Inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.TinyTensor });

            Assert.False((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.TinyTensor })).Ready);
            var error = await Assert.ThrowsAsync<RpcException>(() =>
                server.Inference.ModelInferAsync(TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [1, 1, 1, 1])).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            // An unloaded model no longer counts for readiness.
            Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        }
        finally
        {
            await server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor });
        }

        var response = await server.Inference.ModelInferAsync(TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [1, 1, 1, 1]));
        Assert.Equal([2f, 3, 4, 5], TensorModelTests.Floats(response.RawOutputContents[0]));
    }

    [Fact]
    public async Task A_model_that_fails_to_load_is_unavailable_and_the_rest_keep_serving()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.Broken }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("failed to load", error.Status.Detail);
        var infer = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = InferenceServer.Broken }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, infer.StatusCode);
        var index = await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest());
        var broken = Assert.Single(index.Models, m => m.Name == InferenceServer.Broken);
        Assert.Equal("UNAVAILABLE", broken.State);
        Assert.NotEmpty(broken.Reason);

        Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.MiniLm })).Ready);
    }

    [Fact]
    public async Task Loading_a_model_that_is_not_in_the_repository_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "ghost" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);

        var wrongRepository = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest { RepositoryName = "other" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, wrongRepository.StatusCode);
    }

    [Fact]
    public async Task The_default_version_policy_serves_the_latest_version_and_specific_versions_on_request()
    {
        // A second version of the tiny model appears on disk; a reload picks it up under the latest policy.
        var model = Path.Combine(server.RepositoryPath, InferenceServer.TinyTensor);
        Directory.CreateDirectory(Path.Combine(model, "2"));
        File.Copy(Path.Combine(model, "1", "model.onnx"), Path.Combine(model, "2", "model.onnx"), overwrite: true);
        try
        {
            await server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor });

            var latest = await server.Inference.ModelInferAsync(TensorModelTests.FloatRequest(1, [1, 1, 1, 1], [1, 1, 1, 1]));
            Assert.Equal("2", latest.ModelVersion);
            var metadata = await server.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = InferenceServer.TinyTensor });
            Assert.Equal(["2"], metadata.Versions);
            var old = await Assert.ThrowsAsync<RpcException>(() =>
                server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.TinyTensor, Version = "1" }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, old.StatusCode);
        }
        finally
        {
            Directory.Delete(Path.Combine(model, "2"), recursive: true);
            await server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor });
        }
    }

    [Fact]
    public async Task Text_generation_models_are_left_to_the_generation_service()
    {
        var repository = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ModelRepository>(server.Services);
        Assert.DoesNotContain("tiny-generator", repository.Discover());
        Assert.Contains(InferenceServer.TinyTensor, repository.Discover());

        var index = await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.DoesNotContain(index.Models, m => m.Name == "tiny-generator");
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "tiny-generator" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }

    [Theory]
    [InlineData(null, new long[] { 3 })]
    [InlineData("{\"latest\":{\"num_versions\":2}}", new long[] { 2, 3 })]
    [InlineData("{\"all\":{}}", new long[] { 1, 2, 3 })]
    [InlineData("{\"specific\":{\"versions\":[1,3,9]}}", new long[] { 1, 3 })]
    public void Version_policies_choose_versions(string? policy, long[] expected)
    {
        var parsed = policy is null ? null : System.Text.Json.JsonSerializer.Deserialize<VersionPolicyConfig>(policy,
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower });

        Assert.Equal(expected, VersionPolicyConfig.Select(parsed, [3, 1, 2]));
    }
}
