using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Documents;
using MlStack.Dashboard.Services.Rag;

namespace MlStack.Dashboard.UnitTests.Rag;

public sealed class RagServiceTests
{
    private static readonly Passage Festival = new("quokka-festival.md", 0,
        "The quokka festival takes place on Rottnest Island every March.", 0.82);
    private static readonly Passage Ferries = new("ferry-notes.txt", 2, "Ferries leave Fremantle every hour.", 0.41);

    [Fact]
    public async Task The_prompt_contains_the_retrieved_passages_numbered_with_their_files()
    {
        var search = new PassagesFound(Festival, Ferries);
        var prompt = await new RagService(search).PrepareAsync(
            new PromptRequest("When is the festival?", [], null, "events", CharacterBudget: 4000), CancellationToken.None);

        var system = Assert.Single(prompt.Messages, m => m.Role == ChatRole.System).Text;
        Assert.Contains("[1] quokka-festival.md\nThe quokka festival takes place on Rottnest Island every March.", system);
        Assert.Contains("[2] ferry-notes.txt\nFerries leave Fremantle every hour.", system);
        Assert.Equal("When is the festival?", prompt.Messages[^1].Text);
        Assert.Equal(ChatRole.User, prompt.Messages[^1].Role);
        Assert.Equal([Festival, Ferries], prompt.Sources);
        Assert.False(prompt.NoPassagesFound);
        Assert.Contains("The quokka festival takes place", prompt.ContextText);
        Assert.Equal(("events", "When is the festival?", RagService.DefaultPassageCount), search.Asked.Single());
    }

    [Fact]
    public async Task A_question_with_no_documents_tells_the_model_to_say_so()
    {
        var prompt = await new RagService(new PassagesFound()).PrepareAsync(
            new PromptRequest("When is the festival?", [], "Be brief.", "empty-docs", CharacterBudget: 4000), CancellationToken.None);

        Assert.True(prompt.NoPassagesFound);
        Assert.Empty(prompt.Sources);
        var system = prompt.Messages[0].Text;
        Assert.StartsWith("Be brief.", system);
        Assert.Contains("No passage of the documents in \"empty-docs\" matches this question", system);
        Assert.Contains("their documents do not contain an answer", system);
    }

    [Fact]
    public async Task Passages_are_cut_to_fit_the_models_context()
    {
        var longPassage = new Passage("long.md", 0, new string('x', 5000), 0.9);
        var prompt = await new RagService(new PassagesFound(longPassage, Festival)).PrepareAsync(
            new PromptRequest("Question?", [], null, "docs", CharacterBudget: 1000), CancellationToken.None);

        Assert.True(prompt.Messages.Sum(m => m.Text.Length) <= 1000, $"the prompt has {prompt.Messages.Sum(m => m.Text.Length)} characters");
        Assert.EndsWith("…", Assert.Single(prompt.Sources).Text);
    }

    [Fact]
    public async Task A_plain_chat_keeps_the_newest_history_that_fits_and_starts_with_the_users_turn()
    {
        List<ChatMessage> history =
        [
            new(ChatRole.User, new string('a', 300)), new(ChatRole.Assistant, new string('b', 300)),
            new(ChatRole.User, "second question"), new(ChatRole.Assistant, "second answer"),
        ];
        var search = new PassagesFound(Festival);
        var prompt = await new RagService(search).PrepareAsync(
            new PromptRequest("third question", history, null, Collection: null, CharacterBudget: 400), CancellationToken.None);

        Assert.Equal(["second question", "second answer", "third question"], prompt.Messages.Select(m => m.Text));
        Assert.Empty(search.Asked);
        Assert.Empty(prompt.Sources);
    }

    /// <summary>The search the RAG service sees: these passages for any question, and what it was asked.</summary>
    private sealed class PassagesFound(params Passage[] passages) : ISemanticSearch
    {
        public List<(string Collection, string Text, int K)> Asked { get; } = [];

        public Task<IReadOnlyList<Passage>> SearchAsync(string collection, string text, int k, CancellationToken cancellationToken)
        {
            Asked.Add((collection, text, k));
            return Task.FromResult<IReadOnlyList<Passage>>(passages.Take(k).ToList());
        }
    }
}
