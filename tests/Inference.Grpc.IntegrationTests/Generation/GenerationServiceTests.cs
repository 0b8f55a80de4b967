using Grpc.Core;
using MlStack.Inference.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

public sealed class GenerationServiceTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private static GenerateRequest Greedy(string prompt, int maxNewTokens, bool ignoreEos = true) => new()
    {
        Model = "tiny-gpt",
        Prompt = prompt,
        Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = maxNewTokens, IgnoreEos = ignoreEos },
    };

    [Fact]
    public async Task Max_new_tokens_ends_the_stream_with_finish_reason_length_and_usage()
    {
        var client = await host.ClientAsync();
        var (text, tokens, summary) = await client.Generate(Greedy("The cat", 7)).CollectAsync();

        Assert.Equal(7, tokens.Count);
        Assert.Equal(FinishReason.Length, summary.FinishReason);
        Assert.Equal(7, summary.Usage.CompletionTokens);
        Assert.Equal(2, summary.Usage.PromptTokens);
        Assert.True(summary.TimeToFirstTokenMs > 0);
        // The first message left after the first token: its time includes the token's and the hand-off to gRPC.
        Assert.True(summary.TimeToFirstMessageMs >= summary.TimeToFirstTokenMs, $"{summary.TimeToFirstMessageMs} < {summary.TimeToFirstTokenMs}");
        Assert.True(summary.TokensPerSecond > 0);
        Assert.Equal("tiny-gpt", summary.Model);
        var model = await host.TinyGptAsync();
        Assert.Equal(model.Tokenizer.Decode(tokens), text);
    }

    [Fact]
    public async Task A_stop_sequence_ends_the_text_before_it()
    {
        var client = await host.ClientAsync();
        var (full, _, _) = await client.Generate(Greedy("Once upon a time,", 30)).CollectAsync();
        // A stop sequence from the middle of what greedy decoding writes anyway.
        var stop = full.Substring(full.Length / 2, 4);
        var expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];

        var request = Greedy("Once upon a time,", 30);
        request.Parameters.Stop.Add(stop);
        var (text, tokens, summary) = await client.Generate(request).CollectAsync();

        Assert.Equal(expected, text);
        Assert.Equal(FinishReason.Stop, summary.FinishReason);
        Assert.Equal(stop, summary.StopSequence);
        Assert.True(tokens.Count < 30);
    }

    [Fact]
    public async Task Seeded_sampling_is_reproducible_and_the_seed_matters()
    {
        var client = await host.ClientAsync();
        GenerateRequest Sampled(ulong seed) => new()
        {
            Model = "tiny-gpt",
            Prompt = "Once upon a time,",
            Parameters = new GenerationParameters { Temperature = 1.5f, TopP = 1, MaxNewTokens = 40, Seed = seed, IgnoreEos = true },
        };

        var first = await client.Generate(Sampled(42)).CollectAsync();
        var again = await client.Generate(Sampled(42)).CollectAsync();
        var other = await client.Generate(Sampled(7)).CollectAsync();

        Assert.Equal(first.Tokens, again.Tokens);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(42UL, first.Summary.Seed);
        Assert.NotEqual(first.Tokens, other.Tokens);
    }

    [Fact]
    public async Task Chat_renders_the_chat_template_and_answers_as_the_assistant()
    {
        var client = await host.ClientAsync();
        var model = await host.TinyGptAsync();
        var request = new ChatRequest { Model = "tiny-gpt", Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 40 } };
        request.Messages.Add(new ChatMessage { Role = "user", Content = "What is 2 plus 3?" });

        var (text, _, summary) = await client.Chat(request).CollectAsync();

        var rendered = "<|im_start|>user\nWhat is 2 plus 3?<|im_end|>\n<|im_start|>assistant\n";
        Assert.Equal(model.Tokenizer.Encode(rendered).Count, summary.Usage.PromptTokens);
        Assert.Equal(FinishReason.Stop, summary.FinishReason); // the model ends its turn with <|im_end|>
        Assert.DoesNotContain("<|im_end|>", text);
        Assert.NotEmpty(text);
    }

    [Fact]
    public async Task ListModels_names_the_shipped_models()
    {
        var client = await host.ClientAsync();
        var models = await client.ListModelsAsync(new ListModelsRequest());
        Assert.Equal(["tiny-gpt", "tiny-llama"], models.Models.Select(m => m.Name));
        Assert.All(models.Models, model =>
        {
            Assert.Equal("1", model.Version);
            Assert.Equal(1024, model.ContextLength);
            Assert.True(model.HasChatTemplate);
            Assert.StartsWith(model.Name + ": ", model.Description);
        });
    }

    [Fact]
    public async Task A_request_that_names_no_model_is_served_by_tiny_gpt_the_first_by_name()
    {
        var client = await host.ClientAsync();
        var request = Greedy("The cat", 3);
        request.Model = string.Empty;

        var (_, _, summary) = await client.Generate(request).CollectAsync();

        Assert.Equal("tiny-gpt", summary.Model);
    }

    [Theory]
    [InlineData("", 5, null, null, StatusCode.InvalidArgument, "prompt must not be empty")]
    [InlineData("The cat", 5, -0.5f, null, StatusCode.InvalidArgument, "temperature must be a finite number >= 0")]
    [InlineData("The cat", 5000, null, null, StatusCode.InvalidArgument, "max_new_tokens=5000 plus the prompt's 2 tokens exceed the context of 1024 tokens of model 'tiny-gpt': at most 1022 new tokens fit")]
    [InlineData("The cat", 0, null, null, StatusCode.InvalidArgument, "max_new_tokens must be at least 1 (got 0)")]
    [InlineData("The cat", 5, null, 0f, StatusCode.InvalidArgument, "top_p must be in (0, 1] (got 0)")]
    [InlineData("The cat", 5, null, 1.5f, StatusCode.InvalidArgument, "top_p must be in (0, 1] (got 1.5)")]
    public async Task Bad_parameters_get_invalid_argument_with_a_precise_message(
        string prompt, int maxNewTokens, float? temperature, float? topP, StatusCode code, string message)
    {
        var client = await host.ClientAsync();
        var parameters = new GenerationParameters { MaxNewTokens = maxNewTokens };
        if (temperature is { } t) parameters.Temperature = t;
        if (topP is { } p) parameters.TopP = p;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.Generate(new GenerateRequest { Model = "tiny-gpt", Prompt = prompt, Parameters = parameters }).CollectAsync());

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_model_is_not_found_and_the_message_lists_the_loaded_ones()
    {
        var client = await host.ClientAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.Generate(new GenerateRequest { Model = "gpt-9", Prompt = "Hi" }).CollectAsync());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("Model 'gpt-9' is not a loaded text-generation model (loaded: tiny-gpt, tiny-llama).", error.Status.Detail);
    }

    [Fact]
    public async Task Chat_without_messages_or_with_an_unknown_role_is_invalid()
    {
        var client = await host.ClientAsync();
        var empty = await Assert.ThrowsAsync<RpcException>(() => client.Chat(new ChatRequest { Model = "tiny-gpt" }).CollectAsync());
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal("messages must not be empty.", empty.Status.Detail);

        var request = new ChatRequest { Model = "tiny-gpt" };
        request.Messages.Add(new ChatMessage { Role = "wizard", Content = "Hi" });
        var role = await Assert.ThrowsAsync<RpcException>(() => client.Chat(request).CollectAsync());
        Assert.Equal(StatusCode.InvalidArgument, role.StatusCode);
        Assert.Equal("messages[0].role is 'wizard'; expected one of system, user, assistant, tool.", role.Status.Detail);
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_decoding_and_frees_the_sequence()
    {
        var client = await host.ClientAsync();
        using var watcher = new GenerationMeterWatcher(host.Metrics);

        using var cts = new CancellationTokenSource();
        var call = client.Generate(Greedy("Once upon a time,", 1000), cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1, watcher.Running);
        cts.Cancel();
        await watcher.WaitUntilStoppedAsync();

        Assert.Equal(0, watcher.Running);
        Assert.Equal(1, watcher.Cancelled);
        Assert.InRange(watcher.Generated, 1, 999);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task A_passed_deadline_stops_decoding_and_fails_the_call()
    {
        var client = await host.ClientAsync();
        using var watcher = new GenerationMeterWatcher(host.Metrics);

        var call = client.Generate(Greedy("Once upon a time,", 1000), deadline: DateTime.UtcNow.AddMilliseconds(100));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.CollectAsync());
        var decodingStarted = await watcher.WaitUntilSettledAsync();

        // The client's own timer gives DEADLINE_EXCEEDED; when the server's reset of the stream (sent after its
        // DEADLINE_EXCEEDED trailers) overtakes that timer, the in-memory test transport reports UNAVAILABLE.
        Assert.Contains(error.StatusCode, new[] { StatusCode.DeadlineExceeded, StatusCode.Unavailable });
        Assert.Equal(0, watcher.Running);
        if (decodingStarted)
        {
            // Decoding was under way when the deadline passed: it stopped at the next step.
            Assert.Equal(1, watcher.Cancelled);
            Assert.InRange(watcher.Generated, 0, 999);
        }
        else
        {
            // On a loaded machine the deadline can pass before the request is admitted: then nothing ran at all.
            Assert.Equal(0, watcher.Generated);
        }
    }

    [Fact]
    public async Task Generation_metrics_are_on_the_prometheus_endpoint()
    {
        var client = await host.ClientAsync();
        await client.Generate(Greedy("The dog", 3)).CollectAsync();
        var http = host.Http;

        var text = await http.GetStringAsync("/metrics");

        Assert.Contains("mlstack_generation_time_to_first_token_seconds_bucket", text);
        Assert.Contains("mlstack_generation_inter_token_latency_seconds_bucket", text);
        Assert.Contains("mlstack_generation_e2e_request_latency_seconds_bucket", text);
        Assert.Contains("mlstack_generation_prompt_tokens_total", text);
        Assert.Contains("mlstack_generation_generation_tokens_total", text);
        Assert.Contains("mlstack_generation_requests_running", text);
        await Promtool.AssertMetricsAcceptedAsync(text, "the generation metrics");
    }

    [Fact]
    public async Task Readiness_reports_the_loaded_generator_models()
    {
        await host.ClientAsync();
        var http = host.Http;
        var response = await http.GetAsync("/health");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Contains("text-generation", body);
        Assert.Contains("tiny-gpt/1", body);
        Assert.Contains("tiny-llama/1", body);
    }
}

public sealed class GenerationCapacityTests(SingleSlotGenerationHost host) : IClassFixture<SingleSlotGenerationHost>
{
    [Fact]
    public async Task Beyond_the_running_and_waiting_bounds_a_request_gets_resource_exhausted()
    {
        var client = await host.ClientAsync();
        using var cts = new CancellationTokenSource();
        var first = client.Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "The cat",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 1000, IgnoreEos = true },
        }, cancellationToken: cts.Token);
        Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.Generate(new GenerateRequest { Model = "tiny-gpt", Prompt = "The dog" }).CollectAsync());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Generation:MaxConcurrentSequences", error.Status.Detail);
        cts.Cancel();
    }
}
