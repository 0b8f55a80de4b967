using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class ChatBackendFitTests
{
    private static readonly ChatBackend TinyGpt = new(ChatBackendKind.MlStack, "tiny-gpt", "MlStack inference", "1", ContextLength: 1024);

    [Theory]
    [InlineData(128)]
    [InlineData(960)]
    public void The_largest_value_the_settings_offer_fits_beside_a_prompt_of_the_budget_the_backend_gives(int maxNewTokens)
    {
        var budget = TinyGpt.PromptCharacterBudget(maxNewTokens);
        List<ChatMessage> prompt = [new(ChatRole.System, new string('s', budget / 2)), new(ChatRole.User, new string('q', budget / 2 - 100))];

        var fitted = TinyGpt.FitMaxNewTokens(prompt, maxNewTokens);

        Assert.NotNull(fitted);
        Assert.True(fitted + ChatBackend.PromptTokenBound(prompt) <= 1024, $"{fitted} new tokens do not fit beside the prompt");
        Assert.True(fitted >= Math.Min(maxNewTokens, 256), $"only {fitted} of {maxNewTokens} new tokens were left");
    }

    [Fact]
    public void A_prompt_that_fills_the_context_leaves_no_room_and_an_unknown_context_is_not_clamped()
    {
        List<ChatMessage> prompt = [new(ChatRole.User, new string('x', 2000))];

        Assert.Null(TinyGpt.FitMaxNewTokens(prompt, 64));
        Assert.Equal(4000, new ChatBackend(ChatBackendKind.OpenAiCompatible, "m", "e", EndpointName: "e").FitMaxNewTokens(prompt, 4000));
    }

    [Fact]
    public void Non_ascii_text_counts_its_utf8_bytes()
    {
        // ç and é take two bytes of UTF-8, € three.
        Assert.Equal(ChatBackend.TemplateTokens + ChatBackend.MessageTemplateTokens + 7, ChatBackend.PromptTokenBound([new(ChatRole.User, "çé€")]));
    }
}
