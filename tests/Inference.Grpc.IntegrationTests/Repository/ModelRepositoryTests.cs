using Grpc.Core;
using MlStack.Inference.IntegrationTests.KServe;
using MlStack.Inference.Repository;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V1;
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
            await server.Admin.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.TinyTensor });

            Assert.False((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.TinyTensor })).Ready);
            var error = await Assert.ThrowsAsync<RpcException>(() =>
                server.Inference.ModelInferAsync(TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [1, 1, 1, 1])).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            // An unloaded model no longer counts for readiness.
            Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        }
        finally
        {
            await server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor });
        }

        var response = await server.Inference.ModelInferAsync(TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [1, 1, 1, 1]));
        Assert.Equal([2f, 3, 4, 5], TensorModelTests.Floats(response.RawOutputContents[0]));
    }

    [Fact]
    public async Task A_model_that_fails_to_load_is_unavailable_and_the_rest_keep_serving()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.Broken }).ResponseAsync);

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
            server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "ghost" }).ResponseAsync);
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
            await server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor });

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
            await server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor });
        }
    }

    [Fact]
    public async Task Generator_models_are_listed_loaded_unloaded_and_reloaded_at_run_time()
    {
        var index = await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.Contains(index.Models, m => m.Name == InferenceServer.TinyGenerator);
        try
        {
            await server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyGenerator });
            index = await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });
            Assert.Contains(index.Models, m => m.Name == InferenceServer.TinyGenerator && m.Version == "1" && m.State == "READY");
            Assert.True((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.TinyGenerator })).Ready);
            var metadata = await server.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = InferenceServer.TinyGenerator });
            Assert.Equal("text-generation", metadata.Parameters["task"].StringParam);
            Assert.Contains(metadata.Inputs, t => t.Name == "past_key_values.0.key");
            Assert.Equal(3, await GenerateAsync());
            // Readiness follows: a generator loaded through the API counts, and /health lists it.
            Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
            Assert.Contains("tiny-generator/1 (text-generation", await server.Http.GetStringAsync("/health"));
            // The tensor API refuses it with a pointer to the right one.
            var infer = await Assert.ThrowsAsync<RpcException>(() =>
                server.Inference.ModelInferAsync(new ModelInferRequest { ModelName = InferenceServer.TinyGenerator }).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, infer.StatusCode);
            Assert.Contains("text-generation model", infer.Status.Detail);

            await server.Admin.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.TinyGenerator });
            var unloaded = Assert.Single((await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest())).Models,
                m => m.Name == InferenceServer.TinyGenerator);
            Assert.Equal("UNAVAILABLE", unloaded.State);
            Assert.Equal("unloaded", unloaded.Reason);
            var error = await Assert.ThrowsAsync<RpcException>(GenerateAsync);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);

            await server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyGenerator });
            Assert.Equal(3, await GenerateAsync());
        }
        finally
        {
            await server.Admin.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.TinyGenerator });
        }
    }

    [Fact]
    public async Task A_generator_model_that_fails_to_load_fails_alone()
    {
        await server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyGenerator });
        try
        {
            var error = await Assert.ThrowsAsync<RpcException>(() =>
                server.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.BrokenGenerator }).ResponseAsync);

            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Contains("failed to load", error.Status.Detail);
            var broken = Assert.Single((await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest())).Models,
                m => m.Name == InferenceServer.BrokenGenerator);
            Assert.Equal("UNAVAILABLE", broken.State);
            var generate = await Assert.ThrowsAsync<RpcException>(() => server.TextGeneration.Generate(
                new GenerateRequest { Model = InferenceServer.BrokenGenerator, Prompt = "Hi" }).ResponseStream.MoveNext());
            Assert.Equal(StatusCode.Unavailable, generate.StatusCode);
            Assert.StartsWith($"Model '{InferenceServer.BrokenGenerator}' failed to load: ", generate.Status.Detail);

            // The other generator, the other models and readiness are untouched.
            Assert.Equal(3, await GenerateAsync());
            Assert.True((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.MiniLm })).Ready);
            Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        }
        finally
        {
            await server.Admin.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.TinyGenerator });
        }
    }

    [Fact]
    public void The_repository_scans_every_task_once()
    {
        var repository = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ModelRepository>(server.Services);
        Assert.Equal([InferenceServer.MiniLm, InferenceServer.Broken, InferenceServer.BrokenGenerator, InferenceServer.TinyGenerator, InferenceServer.TinyTensor],
            repository.Discover());
    }

    /// <summary>A short greedy generation on the tiny generator; the number of tokens it streamed.</summary>
    private async Task<int> GenerateAsync()
    {
        var call = server.TextGeneration.Generate(new GenerateRequest
        {
            Model = InferenceServer.TinyGenerator,
            Prompt = "The cat",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 3, IgnoreEos = true },
        });
        var tokens = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync()) tokens += message.TokenIds.Count;
        return tokens;
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
