using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// A secret parameter with a known value is added to the real model; publishing must refer to it everywhere and
/// write its value nowhere. A second secret has no value at all: publishing must still finish.
/// </summary>
public sealed class SecretParameterTests : IAsyncLifetime
{
    private readonly string _output = AppHostPublishing.NewOutputDirectory();
    private readonly string _planted = "PLANTED-SECRET-" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync()
    {
        await AppHostPublishing.PublishInProcessAsync(_output, builder =>
        {
            var planted = builder.AddParameter("planted-secret", secret: true);
            var unset = builder.AddParameter("unset-secret", secret: true);
            var vectors = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "vectors"));
            vectors.WithEnvironment("PLANTED_SECRET", planted)
                .WithEnvironment("PLANTED_URL", ReferenceExpression.Create($"https://user:{planted}@example.invalid/"))
                .WithEnvironment("UNSET_SECRET", unset);
        },
        $"--Parameters:planted-secret={_planted}",
        // Other engineers' secret parameters get a planted value too, should the model have them.
        $"--Parameters:vectors-api-key={_planted}",
        $"--Parameters:inference-api-key={_planted}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_output, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void The_planted_secret_value_appears_in_no_output_file()
    {
        var files = Directory.GetFiles(_output, "*", SearchOption.AllDirectories);
        Assert.True(files.Length > 10, "publishing wrote too few files for this check to mean anything");
        foreach (var file in files)
        {
            Assert.DoesNotContain(_planted, File.ReadAllText(file));
        }
    }

    [Fact]
    public void Compose_refers_to_the_secret_through_the_env_file()
    {
        var compose = Path.Combine(_output, "compose");
        var envExample = File.ReadAllLines(Path.Combine(compose, ".env.example"));
        Assert.Contains("PLANTED_SECRET=", envExample);
        Assert.Contains("UNSET_SECRET=", envExample);
        Assert.Contains("# planted-secret (secret)", envExample);

        var vectors = YamlToJson.Documents(File.ReadAllText(Path.Combine(compose, "docker-compose.yaml"))).Single()!["services"]!["vectors"]!["environment"]!;
        Assert.StartsWith("${PLANTED_SECRET:?", (string?)vectors["PLANTED_SECRET"]);
        Assert.StartsWith("https://user:${PLANTED_SECRET:?", (string?)vectors["PLANTED_URL"]);
    }

    [Fact]
    public void Kubernetes_reads_the_secret_from_a_Secret_generated_at_apply_time()
    {
        var k8sDirectory = Path.Combine(_output, "k8s");
        Assert.Contains("PLANTED_SECRET=", File.ReadAllLines(Path.Combine(k8sDirectory, "secrets.env.example")));
        Assert.False(File.Exists(Path.Combine(k8sDirectory, "secrets.env")), "the publisher must never write the env file with values");
        var kustomization = File.ReadAllText(Path.Combine(k8sDirectory, "kustomization.yaml"));
        Assert.Contains("secretGenerator:", kustomization);
        Assert.Contains("- secrets.env", kustomization);

        var deployment = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(k8sDirectory, "vectors.yaml")), strict: true)
            .OfType<V1Deployment>().Single();
        var env = deployment.Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name);
        Assert.Equal(("mlstack-secrets", "PLANTED_SECRET"), (env["PLANTED_SECRET"].ValueFrom.SecretKeyRef.Name, env["PLANTED_SECRET"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal("https://user:$(MLSTACK_PARAMETER_PLANTED_SECRET)@example.invalid/", env["PLANTED_URL"].Value);
        var helper = env.Keys.ToList().IndexOf("MLSTACK_PARAMETER_PLANTED_SECRET");
        Assert.True(helper >= 0 && helper < env.Keys.ToList().IndexOf("PLANTED_URL"), "$(VAR) must be declared before the variable that expands it");
        Assert.Equal("UNSET_SECRET", env["UNSET_SECRET"].ValueFrom.SecretKeyRef.Key);
    }
}
