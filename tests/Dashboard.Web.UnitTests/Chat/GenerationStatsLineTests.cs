using MlStack.Dashboard.Components.Pages.Chat;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class GenerationStatsLineTests : DashboardComponentContext
{
    private static readonly GenerationStats Served = new(12.5, 300, 8, "stop", "tiny-gpt", "1", MeasuredByServer: true);

    [Fact]
    public void An_answer_shows_how_many_prompt_tokens_came_from_the_prefix_cache()
    {
        var cut = Render<GenerationStatsLine>(p => p.Add(c => c.Stats, Served with { CachedPromptTokens = 48 }));

        Assert.Equal("48 cached prompt tokens", cut.Find("[data-testid=cached-prompt-tokens]").TextContent.Trim());
    }

    [Fact]
    public void A_miss_shows_zero_and_a_backend_that_does_not_say_shows_nothing()
    {
        var miss = Render<GenerationStatsLine>(p => p.Add(c => c.Stats, Served with { CachedPromptTokens = 0 }));
        var unknown = Render<GenerationStatsLine>(p => p.Add(c => c.Stats, Served with { MeasuredByServer = false }));

        Assert.Equal("0 cached prompt tokens", miss.Find("[data-testid=cached-prompt-tokens]").TextContent.Trim());
        Assert.Empty(unknown.FindAll("[data-testid=cached-prompt-tokens]"));
    }
}
