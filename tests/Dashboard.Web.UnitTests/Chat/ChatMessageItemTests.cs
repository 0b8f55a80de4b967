using MlStack.Dashboard.Components.Pages.Chat;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class ChatMessageItemTests : DashboardComponentContext
{
    private static readonly GenerationStats NoTokens = new(null, null, 0, null, null, null, false);

    [Fact]
    public void An_answer_that_failed_before_writing_shows_its_error_without_figures_or_copy()
    {
        var cut = Render<ChatMessageItem>(p => p.Add(c => c.Message, new ConversationMessage
        {
            Role = "assistant", Backend = "some-model", Stats = NoTokens, Error = "The endpoint 'x' cannot be reached right now.",
        }));

        Assert.Contains("cannot be reached", cut.Find("[data-testid=message-error]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=stats]"));
        Assert.Empty(cut.FindAll("[data-testid=copy-button]"));
        Assert.Empty(cut.FindAll("[data-testid=empty-answer]"));
    }

    [Fact]
    public void An_empty_answer_says_so_even_when_it_has_sources()
    {
        var cut = Render<ChatMessageItem>(p => p.Add(c => c.Message, new ConversationMessage
        {
            Role = "assistant", Stats = NoTokens with { FinishReason = "stop" },
            Sources = [new MlStack.Dashboard.Services.Documents.Passage("a.md", 0, "text", 0.5)],
        }));

        Assert.Contains("empty answer", cut.Find("[data-testid=empty-answer]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=copy-button]"));
    }

    [Fact]
    public void Single_line_breaks_in_an_answer_stay_line_breaks()
    {
        var cut = Render<ChatMessageItem>(p => p.Add(c => c.Message, new ConversationMessage { Role = "assistant", Text = "Roses are red,\nviolets are blue." }));

        Assert.Single(cut.FindAll("[data-testid=message-text] br"));
    }
}
