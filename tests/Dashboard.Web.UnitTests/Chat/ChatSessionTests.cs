using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlStack.Dashboard.Services;
using MlStack.Dashboard.Services.AppData;
using MlStack.Dashboard.Services.Chat;
using MlStack.Dashboard.Services.Documents;
using MlStack.Dashboard.Services.Rag;
using MlStack.Inference.V1;

namespace MlStack.Dashboard.UnitTests.Chat;

/// <summary>The chat's orchestration without the page: the gRPC wire scripted, the stored chats in memory, real everything between.</summary>
public sealed class ChatSessionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mlstack-session-").FullName;
    private readonly ScriptedGeneration wire = new();
    private readonly MemoryChatStore store = new();
    private readonly Collections documents = new();
    private readonly ChatEndpointStore endpoints;
    private readonly ChatSession session;
    private int changes;

    public ChatSessionTests()
    {
        var data = new AppDataFolder(Options.Create(new AppDataOptions { DataDirectory = folder }), new TestHostEnvironment(folder));
        endpoints = new ChatEndpointStore(data, new EphemeralDataProtectionProvider(), Options.Create(new ChatEndpointOptions
        {
            // Nothing listens there: connection refused.
            ChatEndpoints = [new ChatEndpoint { Name = "refused", BaseAddress = new Uri($"http://127.0.0.1:{ClosedPort.Next()}/v1"), Model = "m" }],
        }));
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        var answerer = new ChatAnswerer(new ChatClientFactory(new InferenceChatClient(wire.Client), endpoints, http, NullLoggerFactory.Instance),
            NullLogger<ChatAnswerer>.Instance) { SilenceTimeout = TimeSpan.FromMilliseconds(500) };
        session = new ChatSession(new ChatBackendCatalog(wire.Client, endpoints, NullLogger<ChatBackendCatalog>.Instance), store, answerer,
            new RagService(documents), documents, NullLogger<ChatSession>.Instance);
        session.Changed += () =>
        {
            Interlocked.Increment(ref changes);
            return Task.CompletedTask;
        };
    }

    [Fact]
    public async Task A_message_is_answered_as_it_streams_and_the_chat_is_saved_with_its_title()
    {
        await session.LoadAsync();
        Assert.Equal("mlstack/tiny-gpt", session.Selected?.Id);

        var sending = session.SendAsync("  Tell me about the bee.  ");
        Assert.True(session.Busy);
        await wire.SendAsync("Bees ");
        await wire.SendAsync("make honey.");
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.Stop, Usage = new Usage { CompletionTokens = 3 }, TimeToFirstTokenMs = 2 });
        wire.End();
        Assert.True(await sending);

        Assert.False(session.Busy);
        Assert.Null(session.Streaming);
        var chat = Assert.Single(store.Saved);
        Assert.Equal("Tell me about the bee.", chat.Title);
        Assert.Equal(["Tell me about the bee.", "Bees make honey."], chat.Messages.Select(m => m.Text));
        Assert.Equal("stop", chat.Messages[1].Stats?.FinishReason);
        Assert.Null(chat.Messages[1].Error);
        Assert.True(changes >= 2, $"the page was told of {changes} change(s)");
        Assert.Equal("Tell me about the bee.", wire.Request!.Messages[^1].Content);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_with_a_message_and_nothing_is_sent()
    {
        await session.LoadAsync();

        Assert.False(await session.SendAsync(new string('x', ChatLimits.MaxMessageCharacters + 1)));

        Assert.Contains("limited to 16,000 characters", session.InputProblem);
        Assert.Null(wire.Request);
        Assert.Empty(session.Conversations);
        Assert.False(session.Busy);
    }

    [Fact]
    public async Task An_endpoint_that_refuses_ends_the_answer_with_an_error_and_the_session_chats_on()
    {
        store.SettingsJson = """{"backendId":"endpoint/refused/m"}""";
        await session.LoadAsync();

        Assert.True(await session.SendAsync("Hello"));

        var failed = session.Current!.Messages[^1];
        Assert.Contains("endpoint 'refused'", failed.Error);
        Assert.False(session.Busy);

        session.Settings.BackendId = "mlstack/tiny-gpt";
        var sending = session.SendAsync("Hello again");
        await wire.SendAsync("Hi.");
        wire.End();
        Assert.True(await sending);
        Assert.Equal("Hi.", session.Current!.Messages[^1].Text);
        Assert.Null(session.Current.Messages[^1].Error);
        // The failed answer is not sent back to the model as history.
        Assert.DoesNotContain(wire.Request!.Messages, m => m.Role == "assistant");
    }

    [Fact]
    public async Task A_backend_that_accepts_and_sends_nothing_ends_in_an_error_after_the_silence_timeout()
    {
        await session.LoadAsync();

        Assert.True(await session.SendAsync("Hello?"));

        Assert.Contains("sent nothing for", session.Current!.Messages[^1].Error);
        Assert.True(wire.CallCancellation.IsCancellationRequested);
        Assert.False(session.Busy);
    }

    [Fact]
    public async Task Stop_ends_the_answer_as_stopped()
    {
        await session.LoadAsync();
        var sending = session.SendAsync("A long story");
        await wire.SendAsync("Once");
        session.Stop();
        await sending;

        Assert.Equal(ChatAnswerer.StoppedReason, session.Current!.Messages[^1].Stats?.FinishReason);
        Assert.Null(session.Current.Messages[^1].Error);
    }

    [Fact]
    public async Task Max_new_tokens_is_clamped_to_the_context_the_prompt_leaves()
    {
        store.SettingsJson = """{"maxNewTokens":1000}""";
        await session.LoadAsync();
        var question = "Tell me a long story about the sea and the ships that sail on it. " + new string('w', 300);
        var sending = session.SendAsync(question);
        wire.End();
        await sending;

        var sent = wire.Request!;
        var bound = ChatBackend.PromptTokenBound([.. sent.Messages.Select(m => new Microsoft.Extensions.AI.ChatMessage(new(m.Role), m.Content))]);
        Assert.True(sent.Parameters.MaxNewTokens < 1000, $"max_new_tokens was {sent.Parameters.MaxNewTokens}");
        Assert.True(sent.Parameters.MaxNewTokens + bound <= 1024, $"{sent.Parameters.MaxNewTokens} new tokens and a prompt of at most {bound} exceed the context of 1024");
        Assert.Equal(1000, session.Settings.MaxNewTokens);
    }

    [Fact]
    public async Task Stored_history_beyond_the_bound_moves_to_the_archive_and_the_user_is_told()
    {
        var chats = Enumerable.Range(0, 60).Select(i => new Conversation
        {
            Title = $"chat {i}", UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(-i), Messages = [new ConversationMessage { Text = "q" }],
        }).ToList();
        await store.SaveConversationsAsync(chats);

        await session.LoadAsync();

        Assert.Equal(ChatLimits.MaxConversations, session.Conversations.Count);
        Assert.Equal("chat 0", session.Current?.Title);
        Assert.Equal(Enumerable.Range(50, 10).Select(i => $"chat {i}"), store.Archive.Select(c => c.Title));
        Assert.Equal(10, session.ArchivedCount);
        Assert.Contains(session.Notices, n => n.StartsWith("10 older chats were moved to the archive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unreadable_stored_chats_are_set_aside_with_a_notice()
    {
        store.ConversationsJson = "{\"not\": [json";
        await session.LoadAsync();

        Assert.Empty(session.Conversations);
        Assert.Equal("{\"not\": [json", store.SetAside);
        Assert.Contains(session.Notices, n => n.Contains("could not be read", StringComparison.Ordinal));
        Assert.True(session.Ready);
    }

    [Fact]
    public async Task Documents_that_cannot_be_listed_turn_answers_from_documents_off_and_say_why()
    {
        documents.Failure = new BackendCallException("The vector store cannot be reached right now.", refused: false);
        store.SettingsJson = """{"answerFromDocuments":true,"collection":"handbook"}""";
        await session.LoadAsync();

        Assert.Equal("The vector store cannot be reached right now.", session.DocumentsProblem);
        Assert.False(session.Settings.AnswerFromDocuments);
    }

    [Fact]
    public async Task An_answer_from_documents_lists_its_sources_and_a_search_failure_is_shown_on_the_answer()
    {
        documents.Names = ["handbook"];
        store.SettingsJson = """{"answerFromDocuments":true}""";
        await session.LoadAsync();
        Assert.Equal("handbook", session.Settings.Collection);

        var sending = session.SendAsync("When is the festival?");
        await wire.SendAsync("In March [1].");
        wire.End();
        await sending;
        var answer = session.Current!.Messages[^1];
        Assert.Equal("festival.md", Assert.Single(answer.Sources!).DocumentName);
        Assert.Contains("[1] festival.md", answer.Context);

        documents.Failure = new BackendCallException("The vector store did not answer in time.", refused: false);
        await session.SendAsync("And the ferries?");
        Assert.Equal("The vector store did not answer in time.", session.Current.Messages[^1].Error);
        Assert.False(session.Busy);
    }

    [Fact]
    public async Task An_answer_by_tool_call_lets_the_model_search_the_documents_and_cites_what_it_found()
    {
        documents.Names = ["handbook"];
        store.SettingsJson = """{"answerFromDocuments":true,"searchDocumentsByToolCall":true}""";
        await session.LoadAsync();
        var call = new GenerateResponse();
        call.ToolCalls.Add(new ToolCall { Id = "call_1", Name = DocumentSearchTool.FunctionName, Arguments = """{"query":"festival month"}""" });
        await wire.SendAsync(call);
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.ToolCalls, Usage = new Usage { CompletionTokens = 12 } });
        await wire.SendAsync("In March [1].");
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.Stop, Usage = new Usage { CompletionTokens = 5 } });

        Assert.True(await session.SendAsync("When is the festival?"));

        Assert.Equal(2, wire.Requests.Count);
        var first = wire.Requests[0];
        Assert.Equal(DocumentSearchTool.FunctionName, Assert.Single(first.Tools).Name);
        Assert.Contains("query", first.Tools[0].ParametersJson);
        Assert.Equal(ToolChoice.Types.Mode.ToolChoiceAuto, first.ToolChoice.Mode);
        Assert.Contains("call the search_documents tool", first.Messages[0].Content);
        Assert.DoesNotContain("festival.md", first.Messages[0].Content); // nothing retrieved before the prompt
        var second = wire.Requests[1];
        Assert.Equal("call_1", second.Messages.Single(m => m.Role == "assistant").ToolCalls.Single().Id);
        var result = second.Messages.Single(m => m.Role == "tool");
        Assert.Equal("call_1", result.ToolCallId);
        Assert.Contains("[1] festival.md", result.Content);
        var answer = session.Current!.Messages[^1];
        Assert.Equal("In March [1].", answer.Text);
        Assert.Null(answer.Error);
        Assert.Equal("festival.md", Assert.Single(answer.Sources!).DocumentName);
        Assert.Contains("[tool search_documents: festival month]", answer.Context);
        Assert.False(answer.NoPassagesFound);
    }

    [Fact]
    public async Task A_search_by_tool_call_that_fails_is_told_to_the_model_and_shown_on_the_answer_and_json_mode_stays_off()
    {
        documents.Names = ["handbook"];
        store.SettingsJson = """{"answerFromDocuments":true,"searchDocumentsByToolCall":true,"jsonMode":true}""";
        await session.LoadAsync();
        documents.Failure = new BackendCallException("The vector store did not answer in time.", refused: false);
        var call = new GenerateResponse();
        call.ToolCalls.Add(new ToolCall { Id = "call_1", Name = DocumentSearchTool.FunctionName, Arguments = """{"query":"festival"}""" });
        await wire.SendAsync(call);
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.ToolCalls });
        await wire.SendAsync("I could not search.");
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.Stop });

        Assert.True(await session.SendAsync("When is the festival?"));

        Assert.Contains("The search failed", wire.Requests[1].Messages.Single(m => m.Role == "tool").Content);
        Assert.All(wire.Requests, r => Assert.Null(r.ResponseFormat)); // JSON mode shapes answers without tools only
        var answer = session.Current!.Messages[^1];
        Assert.Equal("I could not search.", answer.Text);
        Assert.Equal("The vector store did not answer in time.", answer.Error);
        Assert.Empty(answer.Sources!);
        Assert.False(session.Busy);
    }

    [Fact]
    public async Task Json_mode_asks_for_a_json_object_and_retrieve_then_prompt_sends_no_tools()
    {
        documents.Names = ["handbook"];
        store.SettingsJson = """{"answerFromDocuments":true,"jsonMode":true}""";
        await session.LoadAsync();
        await wire.SendAsync("{\"month\": \"March\"}");
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.Stop });

        Assert.True(await session.SendAsync("When is the festival? Answer in JSON."));

        var request = Assert.Single(wire.Requests);
        Assert.Equal("json_object", request.ResponseFormat.Type);
        Assert.Empty(request.Tools);
        Assert.Contains("[1] festival.md", request.Messages[0].Content);
        Assert.Equal("{\"month\": \"March\"}", session.Current!.Messages[^1].Text);
    }

    public void Dispose()
    {
        session.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The vector store as the session sees it: collection names and one passage, or a failure.</summary>
    private sealed class Collections : IDocumentCollections, ISemanticSearch
    {
        public IReadOnlyList<string> Names { get; set; } = [];

        public BackendCallException? Failure { get; set; }

        public Task<IReadOnlyList<CollectionSummary>> ListCollectionsAsync(CancellationToken cancellationToken) =>
            Failure is { } failure ? Task.FromException<IReadOnlyList<CollectionSummary>>(failure)
                : Task.FromResult<IReadOnlyList<CollectionSummary>>([.. Names.Select(n => new CollectionSummary(n, 1, 1))]);

        public Task<IReadOnlyList<Passage>> SearchAsync(string collection, string text, int k, CancellationToken cancellationToken) =>
            Failure is { } failure ? Task.FromException<IReadOnlyList<Passage>>(failure)
                : Task.FromResult<IReadOnlyList<Passage>>([new Passage("festival.md", 0, "The festival takes place every March on the island.", 0.8)]);
    }
}
