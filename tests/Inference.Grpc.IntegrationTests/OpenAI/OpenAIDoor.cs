using System.ClientModel;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;
using OpenAI;

namespace MlStack.Inference.IntegrationTests.OpenAI;

/// <summary>What the OpenAI door's tests share: a client pointed at http://host:port/v1 and the gRPC answer to compare with.</summary>
internal static class OpenAIDoor
{
    public const string Question = "What does a cat do?";
    public const int MaxTokens = 24;

    /// <summary>The official OpenAI library, as a user points it at the server: its API key is the inference API key (sent as Bearer).</summary>
    public static OpenAIClient Client(InferenceHost host) =>
        new(new ApiKeyCredential(host.ApiKey), new OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{host.HttpPort}/v1") });

    /// <summary>The greedy answer the gRPC Chat gives to <see cref="Question"/>: the HTTP door must give the same.</summary>
    public static async Task<(string Text, GenerationSummary Summary)> GrpcAnswerAsync(InferenceHost host, string model)
    {
        var request = new ChatRequest
        {
            Model = model,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = MaxTokens },
        };
        request.Messages.Add(new V1.ChatMessage { Role = "user", Content = Question });
        var (text, _, summary) = await host.TextGeneration.Chat(request).CollectAsync();
        return (text, summary);
    }
}
