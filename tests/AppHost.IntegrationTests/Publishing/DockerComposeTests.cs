using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Publishing;

/// <summary>Debian's docker-compose reads the published compose file (secret parameters included) without a daemon.</summary>
public sealed class DockerComposeTests : IClassFixture<PublishedStack>
{
    private readonly PublishedStack _stack;

    public DockerComposeTests(PublishedStack stack) => _stack = stack;

    [Fact]
    public Task Debian_docker_compose_accepts_the_compose_file() => AppHostPublishing.AssertDockerComposeAcceptsAsync(_stack.ComposeDirectory);
}
