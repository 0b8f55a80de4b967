using Grpc.Core;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.Security;

/// <summary>The server as published: no admin key, so repository control is switched off for every caller.</summary>
public sealed class ServerWithoutAdminKey : InferenceServer
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. base.Settings, new("Inference:AdminKey", null)];
}

public sealed class RepositoryControlOffTests(ServerWithoutAdminKey server) : IClassFixture<ServerWithoutAdminKey>
{
    [Fact]
    public async Task Without_an_admin_key_on_the_server_repository_control_is_permission_denied_with_the_reason()
    {
        var unload = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.MiniLm }).ResponseAsync);
        using var adminChannel = server.OpenChannel(server.AdminKey);
        var withTheOldAdminKey = await Assert.ThrowsAsync<RpcException>(() => new GRPCInferenceService.GRPCInferenceServiceClient(adminChannel)
            .RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, unload.StatusCode);
        Assert.Contains("switched off", unload.Status.Detail);
        Assert.Contains("Inference:AdminKey", unload.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, withTheOldAdminKey.StatusCode);
        Assert.True((await server.Inference.RepositoryIndexAsync(new RepositoryIndexRequest())).Models.Count > 0);
        await server.AssertServingAsync();
    }
}
