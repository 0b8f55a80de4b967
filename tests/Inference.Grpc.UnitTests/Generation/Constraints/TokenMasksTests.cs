using System.Text;
using System.Text.Json;
using Json.Schema;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Constraints;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation.Constraints;

/// <summary>
/// Token masks over real vocabularies: the trie walk allows exactly the tokens a token-by-token check allows, and
/// random walks that pick any allowed token (far wilder than a model) always end in JSON that parses and validates,
/// with the budget steering them closed in time.
/// </summary>
public class TokenMasksTests
{
    private const string Schema = """
        {"type": "object", "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "score": {"type": ["number", "null"]},
            "kind": {"enum": ["book", "film", "song"]},
            "owner": {"$ref": "#/$defs/person"},
            "items": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/person"}]}},
            "done": {"type": "boolean"}
        },
        "required": ["id", "title", "score", "kind", "owner", "items", "done"], "additionalProperties": false,
        "$defs": {"person": {"type": "object", "properties": {"name": {"type": "string"}, "friend": {"anyOf": [{"$ref": "#/$defs/person"}, {"type": "null"}]}},
                             "required": ["name", "friend"], "additionalProperties": false}}}
        """;

    private static readonly Lazy<ModelTokenizer> TinyLlama = new(() => ModelTokenizer.Load(RepositoryPaths.GeneratorVersionDirectory("tiny-llama")));
    private static readonly Lazy<ModelTokenizer> Qwen3 = new(() => ModelTokenizer.Load(TokenizerReferences.Family("Qwen3").Directory));

    private static TokenMasks Masks(ModelTokenizer tokenizer, string? schema, string prefix = "", string suffix = "", int vocabulary = 0)
    {
        var eos = new HashSet<int>(tokenizer.SpecialTokens.Values.Take(1));
        var trie = new VocabularyTrie(tokenizer, vocabulary > 0 ? vocabulary : tokenizer.Count, eos);
        var constraint = new OutputConstraint { Schema = schema is null ? null : JsonDocument.Parse(schema).RootElement.Clone(), Prefix = prefix, Suffix = suffix };
        return new TokenMasks(new JsonGrammar(constraint, trie), trie);
    }

    /// <summary>Any allowed token at every step, drawn uniformly; the text and whether it ended (end-of-sequence or done).</summary>
    private static (string Text, bool Ended) RandomWalk(TokenMasks masks, int seed, int maxTokens, Action<GrammarState, TokenMask>? check = null)
    {
        var random = new Random(seed);
        var output = new ConstrainedOutput(masks);
        var bytes = new List<byte>();
        for (var i = 0; i < maxTokens; i++)
        {
            var mask = output.Next(maxTokens - i - 1);
            check?.Invoke(output.State, mask);
            var allowed = Enumerable.Range(0, masks.Trie.VocabularySize).Where(mask.Allows).ToList();
            Assert.NotEmpty(allowed);
            var token = allowed[random.Next(allowed.Count)];
            if (masks.Trie.EndOfSequence.Contains(token)) return (Encoding.UTF8.GetString([.. bytes]), true);
            bytes.AddRange(masks.Trie.Bytes(token).ToArray());
            output.Accept(token);
            if (output.IsDone) return (Encoding.UTF8.GetString([.. bytes]), true);
        }
        return (Encoding.UTF8.GetString([.. bytes]), false);
    }

    /// <summary>The mask as a check of every token on its own would give it (special tokens: never; added ones: only inside the literal text).</summary>
    private static void MatchesTokenByTokenCheck(ModelTokenizer tokenizer, TokenMasks masks, GrammarState state, TokenMask mask)
    {
        var trie = masks.Trie;
        var plain = masks.For(state); // without the budget
        for (var id = 0; id < trie.VocabularySize; id++)
        {
            var bytes = trie.Bytes(id);
            bool expected;
            if (trie.EndOfSequence.Contains(id)) expected = state.CanFinish;
            else if (id >= tokenizer.Count || bytes.Length == 0 || tokenizer.IsSpecial(id)) expected = false;
            else if (tokenizer.IsAdded(id)) expected = Array.TrueForAll(state.Stacks, s => s.Top is TextFrame) && !state.Advance(bytes).IsDead;
            else expected = !state.Advance(bytes).IsDead;
            Assert.True(expected == plain.Allows(id), $"token {id} '{Encoding.UTF8.GetString(bytes)}': expected {expected}");
        }
        Assert.All(Enumerable.Range(0, trie.VocabularySize).Where(mask.Allows), id => Assert.True(plain.Allows(id)));
    }

    [Fact]
    public void Trie_masks_equal_a_token_by_token_check_on_the_tiny_llama_vocabulary()
    {
        var masks = Masks(TinyLlama.Value, Schema);
        for (var seed = 0; seed < 5; seed++)
        {
            RandomWalk(masks, seed, 80, (state, mask) => MatchesTokenByTokenCheck(TinyLlama.Value, masks, state, mask));
        }
    }

    [Fact]
    public void Trie_masks_equal_a_token_by_token_check_on_the_qwen3_vocabulary()
    {
        var masks = Masks(Qwen3.Value, Schema);
        var checkedStates = 0;
        RandomWalk(masks, 7, 40, (state, mask) =>
        {
            if (checkedStates++ < 6) MatchesTokenByTokenCheck(Qwen3.Value, masks, state, mask);
        });
    }

    [Theory]
    [InlineData("tiny-llama")]
    [InlineData("Qwen3")]
    public void Random_walks_always_end_in_json_that_validates(string vocabulary)
    {
        var tokenizer = vocabulary == "Qwen3" ? Qwen3.Value : TinyLlama.Value;
        var masks = Masks(tokenizer, Schema);
        var schema = JsonSchema.FromText(Schema);
        // Uniform picks over Qwen's 151k tokens reach new parser states nearly every step (few cached masks): fewer seeds there.
        for (var seed = 0; seed < (vocabulary == "Qwen3" ? 6 : 40); seed++)
        {
            var (text, ended) = RandomWalk(masks, seed, 120);
            Assert.True(ended, $"seed {seed} did not finish in 120 tokens: {text}");
            using var document = JsonDocument.Parse(text);
            Assert.True(schema.Evaluate(document.RootElement).IsValid, $"seed {seed}: {text}");
        }
    }

    [Fact]
    public void A_budget_just_over_the_shortest_value_still_closes_it()
    {
        var masks = Masks(TinyLlama.Value, Schema);
        var shortest = masks.Grammar.Initial.MinTokensToFinish;
        var schema = JsonSchema.FromText(Schema);
        for (var seed = 0; seed < 20; seed++)
        {
            var (text, ended) = RandomWalk(masks, seed, shortest + 2);
            Assert.True(ended, text);
            Assert.True(schema.Evaluate(JsonDocument.Parse(text).RootElement).IsValid, text);
        }
    }

    [Fact]
    public void Prefix_and_suffix_wrap_the_value_and_added_tokens_appear_only_there()
    {
        // Qwen's <tool_call> and </tool_call> are added tokens that are not special: allowed as the literal text, never inside the JSON.
        var masks = Masks(Qwen3.Value, """{"type": "object", "properties": {"name": {"const": "lookup"}, "arguments": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"], "additionalProperties": false}}, "required": ["name", "arguments"], "additionalProperties": false}""",
            "<tool_call>\n", "\n</tool_call>");
        var open = Qwen3.Value.Encode("<tool_call>", specialTokens: true, 8, out _).Single();
        Assert.Contains(open, masks.Trie.AddedTokens);
        Assert.True(masks.For(masks.Grammar.Initial).Allows(open));
        var inside = masks.Grammar.Initial.Advance(Encoding.UTF8.GetBytes("<tool_call>\n{\"name\":\"lookup\",\"arguments\":{\"q\":\""));
        Assert.False(masks.For(inside).Allows(open));
        for (var seed = 0; seed < 20; seed++)
        {
            var (text, ended) = RandomWalk(masks, seed, 60);
            Assert.True(ended, text);
            Assert.StartsWith("<tool_call>\n", text);
            Assert.EndsWith("\n</tool_call>", text);
            var json = text["<tool_call>\n".Length..^"\n</tool_call>".Length];
            using var document = JsonDocument.Parse(json);
            Assert.Equal("lookup", document.RootElement.GetProperty("name").GetString());
            Assert.Equal(JsonValueKind.String, document.RootElement.GetProperty("arguments").GetProperty("q").ValueKind);
        }
    }

    private const string CallSchema = """{"type": "object", "properties": {"name": {"const": "get_weather"}, "arguments": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"], "additionalProperties": false}}, "required": ["name", "arguments"], "additionalProperties": false}""";

    [Theory]
    [InlineData("tiny-llama")]
    [InlineData("Qwen3")]
    public void The_budget_counts_the_suffix_in_tokens_so_a_call_that_fits_ends_whole(string vocabulary)
    {
        // A hermes call at a max_tokens under its length in bytes: the prefix and suffix take fewer tokens than bytes
        // (Qwen: one added token for </tool_call>), and counting them as bytes gave up the steering, cutting the call
        // inside "</tool_call>" with finish length.
        var tokenizer = vocabulary == "Qwen3" ? Qwen3.Value : TinyLlama.Value;
        const string prefix = "<tool_call>\n", suffix = "\n</tool_call>";
        var masks = Masks(tokenizer, CallSchema, prefix, suffix);
        var jsonBytes = Masks(tokenizer, CallSchema).Grammar.Initial.MinTokensToFinish;
        var suffixTokens = masks.Trie.FewestTokens(Encoding.UTF8.GetBytes(suffix))[0];
        var budget = masks.Trie.FewestTokens(Encoding.UTF8.GetBytes(prefix))[0] + jsonBytes + suffixTokens;
        Assert.True(suffixTokens < suffix.Length, $"{suffixTokens} tokens for the suffix");
        Assert.Equal(budget, masks.Grammar.Initial.MinTokensToFinish);
        Assert.True(budget < prefix.Length + jsonBytes + suffix.Length);
        for (var seed = 0; seed < 20; seed++)
        {
            var (text, ended) = RandomWalk(masks, seed, budget);
            Assert.True(ended, $"seed {seed}: {text}");
            Assert.EndsWith(suffix, text);
            using var document = JsonDocument.Parse(text[prefix.Length..^suffix.Length]);
            Assert.Equal(JsonValueKind.String, document.RootElement.GetProperty("arguments").GetProperty("location").ValueKind);
        }
    }

    [Fact]
    public void Fewest_tokens_take_an_added_token_whole()
    {
        var trie = Masks(Qwen3.Value, null).Trie;
        var text = Encoding.UTF8.GetBytes("\n</tool_call>");

        var fewest = trie.FewestTokens(text);

        Assert.Equal(2, fewest[0]); // "\n" and the added </tool_call>
        Assert.Equal(1, fewest[1]);
        Assert.Equal(0, fewest[text.Length]);
    }

    [Fact]
    public void Json_object_mode_gives_objects_and_end_of_sequence_only_when_complete()
    {
        var masks = Masks(TinyLlama.Value, null);
        var eos = masks.Trie.EndOfSequence.Single();
        Assert.False(masks.For(masks.Grammar.Initial).Allows(eos));
        Assert.False(masks.For(masks.Grammar.Initial.Advance("{\"a\":1"u8)).Allows(eos));
        for (var seed = 0; seed < 30; seed++)
        {
            var (text, ended) = RandomWalk(masks, seed, 50);
            Assert.True(ended, text);
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(text).RootElement.ValueKind);
        }
    }

    [Fact]
    public void Logit_columns_past_the_tokenizer_are_never_allowed()
    {
        var tokenizer = TinyLlama.Value;
        var masks = Masks(tokenizer, null, vocabulary: tokenizer.Count + 40);
        var mask = masks.For(masks.Grammar.Initial.Advance("{\"a\":\""u8));
        Assert.All(Enumerable.Range(tokenizer.Count, 40), id => Assert.False(mask.Allows(id)));
    }
}
