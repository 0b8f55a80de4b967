using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>What a model's chat template decides for its Chat requests: none, one that refuses, one that cannot load.</summary>
public sealed class ChatTemplateModelsTests(ChatTemplateRepository host) : IClassFixture<ChatTemplateRepository>
{
    private static ChatRequest Chat(string model, params (string Role, string Content)[] messages)
    {
        var request = new ChatRequest { Model = model, Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 2 } };
        request.Messages.AddRange(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        return request;
    }

    [Fact]
    public async Task A_model_without_a_template_refuses_chat_naming_what_is_missing_and_still_generates()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => host.TextGeneration.Chat(Chat(ChatTemplateRepository.NoTemplate, ("user", "Hi"))).CollectAsync());
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("has no chat template", error.Status.Detail);
        Assert.Contains("chat_template.jinja", error.Status.Detail);

        using var http = await host.Http.PostAsJsonAsync("/v1/chat/completions", new JsonObject
        {
            ["model"] = ChatTemplateRepository.NoTemplate,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Contains("has no chat template", await http.Content.ReadAsStringAsync());

        var (_, tokens, _) = await host.TextGeneration.Generate(new GenerateRequest
        {
            Model = ChatTemplateRepository.NoTemplate,
            Prompt = "The cat",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 3, IgnoreEos = true },
        }).CollectAsync();
        Assert.Equal(3, tokens.Count);
    }

    [Fact]
    public async Task A_conversation_the_template_rejects_gets_invalid_argument_with_the_templates_message()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.TextGeneration.Chat(Chat(ChatTemplateRepository.Refusing, ("system", "Be brief."), ("user", "Hi"))).CollectAsync());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(ChatTemplateRepository.Refusal, error.Status.Detail);

        var (_, tokens, _) = await host.TextGeneration.Chat(Chat(ChatTemplateRepository.Refusing, ("user", "Hi"))).CollectAsync();
        Assert.NotEmpty(tokens);
    }

    [Fact]
    public async Task An_unsupported_construct_fails_that_models_load_with_its_line_and_column()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.TextGeneration.Generate(new GenerateRequest { Model = ChatTemplateRepository.Unsupported, Prompt = "Hi" }).CollectAsync());
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("unsupported filter 'wordwrap' at line 2, column 18", error.Status.Detail);

        var (_, tokens, _) = await host.TextGeneration.Chat(Chat("tiny-gpt", ("user", "Hi"))).CollectAsync();
        Assert.NotEmpty(tokens);
    }
}
