using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlStack.Dashboard.Components.Pages.Chat;
using MlStack.Dashboard.Services.AppData;
using MlStack.Dashboard.Services.Chat;
using MlStack.Inference.V1;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MlStack.Dashboard.UnitTests.Chat;

/// <summary>An answer streamed through <see cref="ChatAnswerer"/> and the gRPC chat client into the transcript's message component.</summary>
public sealed class ChatTranscriptTests : DashboardComponentContext
{
    private readonly ScriptedGeneration wire = new();
    private readonly ChatAnswerer answerer;
    private readonly string dataFolder = Directory.CreateTempSubdirectory("mlstack-dashboard-unit-").FullName;

    public ChatTranscriptTests()
    {
        var data = new AppDataFolder(Options.Create(new AppDataOptions { DataDirectory = dataFolder }), new TestHostEnvironment(dataFolder));
        var endpoints = new ChatEndpointStore(data, new EphemeralDataProtectionProvider(), Options.Create(new ChatEndpointOptions()));
        var factory = new ChatClientFactory(new InferenceChatClient(wire.Client), endpoints,
            new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), NullLoggerFactory.Instance);
        answerer = new ChatAnswerer(factory, Microsoft.Extensions.Logging.Abstractions.NullLogger<ChatAnswerer>.Instance);
    }

    [Fact]
    public async Task The_answer_grows_with_each_streamed_piece_and_ends_with_its_figures()
    {
        var answer = new ConversationMessage { Role = "assistant", Backend = "tiny-gpt (v1)" };
        var cut = Render<ChatMessageItem>(p => p.Add(c => c.Message, answer).Add(c => c.Streaming, true));
        Assert.Contains("Thinking", cut.Find(".thinking").TextContent);

        var backend = new ChatBackend(ChatBackendKind.MlStack, "tiny-gpt", "MlStack inference", "1", 1024);
        var answering = answerer.AnswerAsync(backend, [new ChatMessage(ChatRole.User, "Hi")], new ChatSettings(), piece =>
        {
            answer.Text += piece;
            return cut.InvokeAsync(() => cut.Render());
        }, CancellationToken.None);

        await wire.SendAsync("Hello");
        cut.WaitForAssertion(() => Assert.Equal("Hello", cut.Find("[data-testid=message-text]").TextContent.Trim()));
        Assert.Empty(cut.FindAll(".thinking"));
        Assert.Empty(cut.FindAll("[data-testid=stats]"));

        await wire.SendAsync(", **world**");
        cut.WaitForAssertion(() => Assert.Equal("world", cut.Find("[data-testid=message-text] strong").TextContent));

        await wire.FinishAsync(new GenerationSummary
        {
            FinishReason = FinishReason.Stop, Usage = new Usage { CompletionTokens = 3 }, Model = "tiny-gpt", ModelVersion = "1",
            TimeToFirstTokenMs = 3.5, TokensPerSecond = 412.25,
        });
        wire.End();
        var result = await answering;
        answer.Stats = result.Stats;
        cut.Render(p => p.Add(c => c.Streaming, false));

        var stats = cut.Find("[data-testid=stats]");
        Assert.Equal("stop", stats.GetAttribute("data-finish-reason"));
        Assert.Contains("TTFT 3.5 ms", stats.TextContent);
        Assert.Contains("412 tok/s", stats.TextContent);
        Assert.Contains("3 tokens", stats.TextContent);
        Assert.NotNull(cut.Find("[data-testid=copy-button]"));
        Assert.Equal("tiny-gpt", wire.Request!.Model);
    }

    [Fact]
    public async Task Stopping_cancels_the_call_and_marks_the_answer_stopped()
    {
        using var stop = new CancellationTokenSource();
        await wire.SendAsync("Once upon");
        var backend = new ChatBackend(ChatBackendKind.MlStack, "tiny-gpt", "MlStack inference", "1", 1024);
        var result = await answerer.AnswerAsync(backend, [new ChatMessage(ChatRole.User, "A long story")], new ChatSettings(), _ =>
        {
            stop.Cancel();
            return Task.CompletedTask;
        }, stop.Token);

        Assert.True(result.Stopped);
        Assert.Null(result.Error);
        Assert.Equal(ChatAnswerer.StoppedReason, result.Stats.FinishReason);
        Assert.True(wire.CallCancellation.IsCancellationRequested);
    }

    [Fact]
    public void Html_and_script_written_by_the_model_never_reach_the_page()
    {
        var answer = new ConversationMessage
        {
            Role = "assistant",
            Text = "<script>alert(1)</script><img src=x onerror=alert(2)> **safe** [link](javascript:alert(3)) [ok](https://example.org)",
        };
        var cut = Render<ChatMessageItem>(p => p.Add(c => c.Message, answer));

        var text = cut.Find("[data-testid=message-text]");
        Assert.Empty(text.QuerySelectorAll("script, img"));
        Assert.Empty(text.QuerySelectorAll("[onerror]"));
        Assert.DoesNotContain("javascript:", text.InnerHtml);
        Assert.Contains("&lt;script&gt;", text.InnerHtml);
        Assert.Equal("safe", text.QuerySelector("strong")!.TextContent);
        var link = Assert.Single(text.QuerySelectorAll("a[href]"));
        Assert.Equal("https://example.org", link.GetAttribute("href"));
        Assert.Contains("noopener", link.GetAttribute("rel"));
    }

    protected override void CleanUp() => Directory.Delete(dataFolder, recursive: true);
}

/// <summary>Just enough of an environment to resolve the data folder.</summary>
public sealed class TestHostEnvironment(string contentRoot) : Microsoft.Extensions.Hosting.IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Testing";
    public string ApplicationName { get; set; } = "Dashboard.Web";
    public string ContentRootPath { get; set; } = contentRoot;
    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
}
