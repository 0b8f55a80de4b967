using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using MlStack.Inference.HttpDoors.OpenAI;
using MlStack.Inference.HttpDoors.SageMaker;
using MlStack.Inference.HttpDoors.Vertex;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.Repository;
using MlStack.Inference.HttpDoors.Tokenize;

namespace Microsoft.Extensions.Hosting;

public static class HttpDoorsExtensions
{
    /// <summary>The container argument SageMaker starts a serving container with (docker run image serve).</summary>
    public const string ServeArgument = "serve";

    /// <summary>
    /// The HTTP doors into the same models (OpenAI-compatible, SageMaker, Vertex AI): their limits ("HttpDoors"), the
    /// platforms' settings ("SageMaker", "Vertex", and the variables the platforms set), the port a platform names for the
    /// HTTP endpoint, and the model folder it provides as the model repository.
    /// </summary>
    public static WebApplicationBuilder AddHttpDoors(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<HttpDoorOptions>(HttpDoorOptions.SectionName);
        builder.AddValidatedOptions<SageMakerOptions>(SageMakerOptions.SectionName);
        builder.AddValidatedOptions<VertexOptions>(VertexOptions.SectionName).Configure<IConfiguration>((vertex, configuration) =>
        {
            vertex.HealthRoute = NonEmpty(configuration["AIP_HEALTH_ROUTE"]) ?? vertex.HealthRoute;
            vertex.PredictRoute = NonEmpty(configuration["AIP_PREDICT_ROUTE"]) ?? vertex.PredictRoute;
            vertex.StorageUri = NonEmpty(configuration["AIP_STORAGE_URI"]) ?? vertex.StorageUri;
        });
        // A platform's model folder is the repository, served as it is: nothing is extracted into a provided artifact.
        builder.Services.AddOptions<ModelRepositoryOptions>().PostConfigure<IOptions<VertexOptions>, IOptions<SageMakerOptions>>((repository, vertex, sageMaker) =>
        {
            var provided = vertex.Value.ModelRepositoryPath() ?? (Directory.Exists(sageMaker.Value.ModelDirectory) ? sageMaker.Value.ModelDirectory : null);
            if (provided is not null)
            {
                repository.Path = provided;
                repository.InstallDefaultModel = false;
            }
        });
        builder.Services.AddSingleton<TextPredictor>();
        ListenWhereThePlatformSays(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Every HTTP door's routes, in one place so that authorization can be applied to them as endpoint conventions.
    /// Health routes (SageMaker's /ping, Vertex AI's health route) are returned apart and stay open.
    /// </summary>
    public static HttpDoorRoutes MapHttpDoors(this WebApplication app)
    {
        var openAI = app.MapOpenAI();
        var (ping, invocations) = app.MapSageMaker();
        var (vertexHealth, predict) = app.MapVertex();
        var tokenize = app.MapTokenize();
        var routes = new HttpDoorRoutes([openAI, invocations, predict, tokenize], [ping, .. vertexHealth is null ? Array.Empty<IEndpointConventionBuilder>() : [vertexHealth]]);
        // The API routes ask for the inference API key through the fallback policy (AddInferenceAuthentication);
        // the platforms probe health without one.
        foreach (var health in routes.Health) health.AllowAnonymous();
        return routes;
    }

    /// <summary>
    /// AIP_HTTP_PORT (Vertex AI), else SAGEMAKER_BIND_TO_PORT, else 8080 when started with the serve argument
    /// (SageMaker): the HTTP endpoint listens there. The gRPC endpoint keeps its own.
    /// </summary>
    private static void ListenWhereThePlatformSays(ConfigurationManager configuration)
    {
        var (variable, port) = NonEmpty(configuration["AIP_HTTP_PORT"]) is { } vertex ? ("AIP_HTTP_PORT", vertex)
            : NonEmpty(configuration["SAGEMAKER_BIND_TO_PORT"]) is { } sageMaker ? ("SAGEMAKER_BIND_TO_PORT", sageMaker)
            : Environment.GetCommandLineArgs().Skip(1).Contains(ServeArgument, StringComparer.Ordinal) ? ("the serve argument", "8080")
            : (null, null);
        if (port is null)
        {
            return;
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{variable} is '{port}', but it must be a TCP port (1-65535).");
        }
        var host = NonEmpty(configuration[$"{HttpDoorOptions.SectionName}:{nameof(HttpDoorOptions.PlatformListenHost)}"]) ?? "+";
        configuration.AddInMemoryCollection([new("Kestrel:Endpoints:Http:Url", $"http://{host}:{number.ToString(CultureInfo.InvariantCulture)}")]);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>The HTTP doors' endpoints: those behind authentication and the platforms' health routes, which stay open.</summary>
public sealed record HttpDoorRoutes(IReadOnlyList<IEndpointConventionBuilder> Api, IReadOnlyList<IEndpointConventionBuilder> Health);
