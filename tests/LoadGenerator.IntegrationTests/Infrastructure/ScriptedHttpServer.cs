using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlStack.Testing;

namespace MlStack.LoadGenerator.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel server on a free loopback port that speaks the HTTP doors' contracts with behaviour the tests
/// choose: SageMaker /invocations served by one worker at <see cref="ServiceTime"/> each (a slow server that queues),
/// /v1/embeddings failing every third request with 503, /v1/chat/completions streaming a few chunks, and a Vertex
/// predict route. It counts what it answered, so the tests compare the tool's counts with the server's.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(200);
    public const int StreamedTokens = 5;

    private readonly WebApplication _app;
    private readonly SemaphoreSlim _oneWorker = new(1, 1);
    private int _embeddings;
    private int _served503;
    private int _invocations;

    private ScriptedHttpServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public int Served503 => _served503;

    public int Invocations => _invocations;

    public static async Task<ScriptedHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The services' appsettings.json files sit in this output folder; their Kestrel endpoints are not this server's.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, FreePort.Next()));
        var server = new ScriptedHttpServer(builder.Build());
        server.Map();
        await server._app.StartAsync();
        server.Address = new Uri(server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return server;
    }

    private void Map()
    {
        _app.MapPost("/invocations", async (HttpContext context) =>
        {
            // One worker: requests that arrive while it is busy wait in line, as behind a saturated model server.
            await _oneWorker.WaitAsync(context.RequestAborted);
            try
            {
                await Task.Delay(ServiceTime, context.RequestAborted);
                Interlocked.Increment(ref _invocations);
            }
            finally
            {
                _oneWorker.Release();
            }
            return Results.Json(new JsonArray(new JsonObject { ["generated_text"] = "slow but sure" }));
        });

        _app.MapPost("/v1/embeddings", () =>
        {
            if (Interlocked.Increment(ref _embeddings) % 3 == 0)
            {
                Interlocked.Increment(ref _served503);
                return Results.Json(new JsonObject { ["error"] = new JsonObject { ["message"] = "queue full", ["type"] = "server_error" } },
                    statusCode: (int)HttpStatusCode.ServiceUnavailable);
            }
            return Results.Json(new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject { ["object"] = "embedding", ["index"] = 0, ["embedding"] = new JsonArray(0.6, 0.8) }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 7, ["total_tokens"] = 7 },
            });
        });

        _app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < StreamedTokens; i++)
            {
                await Chunk(context, new JsonObject { ["content"] = $"t{i} " }, usage: null);
                await Task.Delay(10, context.RequestAborted);
            }
            await Chunk(context, new JsonObject(), new JsonObject { ["prompt_tokens"] = 3, ["completion_tokens"] = StreamedTokens });
            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        });

        _app.MapPost("/predict", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var instances = body?["instances"]?.AsArray() ?? [];
            return Results.Json(new JsonObject { ["predictions"] = new JsonArray([.. instances.Select(_ => (JsonNode?)new JsonArray(0.6, 0.8))]) });
        });
    }

    private static async Task Chunk(HttpContext context, JsonObject delta, JsonObject? usage)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-1",
            ["object"] = "chat.completion.chunk",
            ["choices"] = usage is null ? new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta }) : new JsonArray(),
            ["usage"] = usage,
        };
        await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _oneWorker.Dispose();
    }
}
