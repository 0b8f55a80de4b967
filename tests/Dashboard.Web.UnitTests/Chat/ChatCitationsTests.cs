using MlStack.Dashboard.Components.Pages.Chat;
using MlStack.Dashboard.Services.Documents;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class ChatCitationsTests : DashboardComponentContext
{
    [Fact]
    public void Each_source_shows_its_file_an_excerpt_and_its_score_and_expands_to_the_passage()
    {
        var passage = "The quokka festival takes place on Rottnest Island every March. " + new string('x', 200);
        var cut = Render<ChatCitations>(p => p.Add(c => c.Sources,
        [
            new Passage("quokka-festival.md", 2, passage, 0.8234),
            new Passage("ferry-notes.txt", 0, "Ferries leave Fremantle every hour.", 0.41),
        ]));

        var citations = cut.FindAll("[data-testid=citation]");
        Assert.Equal(["quokka-festival.md", "ferry-notes.txt"], citations.Select(c => c.GetAttribute("data-document")));
        var first = citations[0].TextContent;
        Assert.Contains("[1]", first);
        Assert.Contains("score 0.82", first);
        Assert.Contains("The quokka festival takes place", first);
        Assert.Contains("…", cut.Find(".citation-excerpt").TextContent);

        cut.FindAll(".mud-expand-panel-header")[0].Click();
        cut.WaitForAssertion(() => Assert.Equal(passage, cut.Find(".citation-text").TextContent));
        Assert.Contains("Passage 3 of quokka-festival.md", cut.Markup);
    }

    [Fact]
    public void No_sources_render_nothing()
    {
        var cut = Render<ChatCitations>(p => p.Add(c => c.Sources, []));
        Assert.Empty(cut.Markup.Trim());
    }
}
