using System.ClientModel;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using OpenAI.Chat;

namespace MlStack.Inference.IntegrationTests.OpenAI;

/// <summary>The official OpenAI .NET library, unchanged, against the service's /v1: the answers are the gRPC API's.</summary>
public sealed class OpenAIClientTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private static readonly ChatCompletionOptions Greedy = new() { Temperature = 0, MaxOutputTokenCount = OpenAIDoor.MaxTokens };

    [Fact]
    public async Task Models_lists_the_repository_models_and_their_versions()
    {
        var models = (await OpenAIDoor.Client(host).GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();

        Assert.Contains("tiny-gpt", models);
        Assert.Contains("tiny-llama", models);
        Assert.Contains("tiny-gpt:1", models);
        Assert.Contains(MlStack.Testing.InferenceHost.MiniLm, models);
    }

    [Fact]
    public async Task A_plain_chat_completion_is_the_grpc_answer_with_its_usage()
    {
        var (expected, summary) = await OpenAIDoor.GrpcAnswerAsync(host, "tiny-gpt");

        ChatCompletion completion = await OpenAIDoor.Client(host).GetChatClient("tiny-gpt")
            .CompleteChatAsync([new UserChatMessage(OpenAIDoor.Question)], Greedy);

        Assert.Equal(expected, completion.Content[0].Text);
        Assert.NotEqual("", expected);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(summary.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(summary.Usage.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(summary.Usage.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal("tiny-gpt", completion.Model);
    }

    [Fact]
    public async Task A_streamed_chat_completion_arrives_in_pieces_with_usage_at_the_end()
    {
        var (expected, summary) = await OpenAIDoor.GrpcAnswerAsync(host, "tiny-llama");

        var text = new System.Text.StringBuilder();
        var pieces = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in OpenAIDoor.Client(host).GetChatClient("tiny-llama:1")
            .CompleteChatStreamingAsync([new UserChatMessage(OpenAIDoor.Question)], Greedy))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
                pieces++;
            }
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(expected, text.ToString());
        Assert.True(pieces > 1, $"the answer came in {pieces} piece(s)");
        Assert.NotNull(usage);
        Assert.Equal(summary.Usage.PromptTokens, usage.InputTokenCount);
        Assert.Equal(summary.Usage.CompletionTokens, usage.OutputTokenCount);
        Assert.NotNull(finish);
    }

    [Fact]
    public async Task Logprobs_come_back_through_the_library_with_the_greedy_token_on_top()
    {
        var options = new ChatCompletionOptions
        {
            Temperature = 0,
            MaxOutputTokenCount = OpenAIDoor.MaxTokens,
            IncludeLogProbabilities = true,
            TopLogProbabilityCount = 3,
        };

        ChatCompletion completion = await OpenAIDoor.Client(host).GetChatClient("tiny-llama")
            .CompleteChatAsync([new UserChatMessage(OpenAIDoor.Question)], options);

        Assert.NotEmpty(completion.ContentTokenLogProbabilities);
        Assert.All(completion.ContentTokenLogProbabilities, token =>
        {
            Assert.Equal(3, token.TopLogProbabilities.Count);
            Assert.Equal(token.Token, token.TopLogProbabilities[0].Token);
            Assert.Equal(token.LogProbability, token.TopLogProbabilities[0].LogProbability);
            Assert.True(token.LogProbability <= 0);
        });
        var bytes = new List<byte>();
        foreach (var token in completion.ContentTokenLogProbabilities) if (token.Utf8Bytes is { } utf8) bytes.AddRange(utf8.ToArray());
        Assert.Contains(completion.Content[0].Text, System.Text.Encoding.UTF8.GetString(bytes.ToArray()));
    }

#pragma warning disable OPENAI001 // Seed is marked experimental in the library
    [Fact]
    public async Task The_librarys_seed_penalties_stop_and_user_are_honoured()
    {
        var chat = OpenAIDoor.Client(host).GetChatClient("tiny-gpt");
        ChatCompletionOptions Options(long seed) => new()
        {
            Temperature = 1,
            MaxOutputTokenCount = OpenAIDoor.MaxTokens,
            Seed = seed,
            PresencePenalty = 0.5f,
            FrequencyPenalty = 0.5f,
            EndUserId = "alice",
            StopSequences = { "\n\n" },
        };

        async Task<string> TextAsync(long seed) =>
            ((ChatCompletion)await chat.CompleteChatAsync([new UserChatMessage(OpenAIDoor.Question)], Options(seed))).Content[0].Text;

        var first = await TextAsync(7);
        Assert.Equal(first, await TextAsync(7));
        Assert.NotEqual(first, await TextAsync(8));

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            chat.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { PresencePenalty = 3 }));
        Assert.Equal(400, error.Status);
        Assert.Contains("presence_penalty", error.Message);
    }
#pragma warning restore OPENAI001

    [Fact]
    public async Task Embeddings_are_the_grpc_vectors_normalized()
    {
        string[] texts = ["A cat sleeps in the sun.", "The dog fetches a red ball."];
        var grpc = await host.Embeddings.EmbedAsync(new EmbedRequest { Model = MlStack.Testing.InferenceHost.MiniLm, Texts = { texts }, Normalize = true });

        var embeddings = (await OpenAIDoor.Client(host).GetEmbeddingClient(MlStack.Testing.InferenceHost.MiniLm).GenerateEmbeddingsAsync(texts)).Value;

        Assert.Equal(2, embeddings.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var vector = embeddings[i].ToFloats().ToArray();
            Assert.Equal(384, vector.Length);
            Assert.Equal(grpc.Embeddings[i].Values.ToArray(), vector);
        }
        Assert.Equal(grpc.Embeddings.Sum(e => e.TokenCount), embeddings.Usage.InputTokenCount);
    }

    [Fact]
    public async Task A_bad_request_is_a_400_with_the_reason_and_the_server_answers_the_next_one()
    {
        var chat = OpenAIDoor.Client(host).GetChatClient("tiny-gpt");

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            chat.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { Temperature = -1 }));
        Assert.Equal(400, error.Status);
        Assert.Contains("temperature", error.Message);

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() =>
            OpenAIDoor.Client(host).GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("Hello")]));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("no-such-model", unknown.Message);

        ChatCompletion next = await chat.CompleteChatAsync([new UserChatMessage(OpenAIDoor.Question)], Greedy);
        Assert.NotEmpty(next.Content[0].Text);
    }
}
