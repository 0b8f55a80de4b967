using MlStack.Inference.IntegrationTests.Generation;
using Microsoft.Extensions.AI;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.OpenAI;

/// <summary>Microsoft.Extensions.AI.OpenAI's IChatClient and IEmbeddingGenerator, unchanged, against the service's /v1.</summary>
public sealed class ExtensionsAIClientTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private static readonly ChatOptions Greedy = new() { Temperature = 0, MaxOutputTokens = OpenAIDoor.MaxTokens };

    private IChatClient Chat(string model) => OpenAIDoor.Client(host).GetChatClient(model).AsIChatClient();

    [Fact]
    public async Task A_chat_response_is_the_grpc_answer()
    {
        var (expected, summary) = await OpenAIDoor.GrpcAnswerAsync(host, "tiny-llama");

        var response = await Chat("tiny-llama").GetResponseAsync([new ChatMessage(ChatRole.User, OpenAIDoor.Question)], Greedy);

        Assert.Equal(expected, response.Text);
        Assert.Equal(summary.Usage.PromptTokens, response.Usage?.InputTokenCount);
        Assert.Equal(summary.Usage.CompletionTokens, response.Usage?.OutputTokenCount);
        Assert.NotNull(response.FinishReason);
    }

    [Fact]
    public async Task A_streamed_chat_response_is_the_grpc_answer_in_pieces()
    {
        var (expected, summary) = await OpenAIDoor.GrpcAnswerAsync(host, "tiny-gpt");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Chat("tiny-gpt").GetStreamingResponseAsync([new ChatMessage(ChatRole.User, OpenAIDoor.Question)], Greedy))
        {
            updates.Add(update);
        }
        var response = updates.ToChatResponse();

        Assert.Equal(expected, response.Text);
        Assert.True(updates.Count(u => u.Text.Length > 0) > 1);
        Assert.Equal(summary.Usage.CompletionTokens, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Seed_and_penalties_of_chat_options_are_honoured()
    {
        ChatOptions Options(long seed) => new()
        {
            Temperature = 1,
            MaxOutputTokens = OpenAIDoor.MaxTokens,
            Seed = seed,
            PresencePenalty = 0.5f,
            FrequencyPenalty = 0.5f,
        };
        async Task<string> TextAsync(long seed) => (await Chat("tiny-llama").GetResponseAsync([new ChatMessage(ChatRole.User, OpenAIDoor.Question)], Options(seed))).Text;

        var first = await TextAsync(21);

        Assert.Equal(first, await TextAsync(21));
        Assert.NotEqual(first, await TextAsync(22));
    }

    [Fact]
    public async Task Embeddings_come_back_one_per_text()
    {
        using var generator = OpenAIDoor.Client(host).GetEmbeddingClient(InferenceHost.MiniLm).AsIEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(["A cat sleeps in the sun.", "What is 2 plus 3?", "Hello"]);

        Assert.Equal(3, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(384, e.Vector.Length));
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(v => (double)v * v)), 4));
    }

    [Fact]
    public async Task A_bad_request_surfaces_as_an_error_with_the_reason()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            Chat("tiny-gpt").GetResponseAsync([new ChatMessage(ChatRole.User, "Hello")], new ChatOptions { TopP = 2 }));

        Assert.Contains("top_p", error.Message);
    }
}
