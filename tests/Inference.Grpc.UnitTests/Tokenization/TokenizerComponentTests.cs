using System.Text.Json.Nodes;
using MlStack.Inference.Tokenization;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Tokenization;

/// <summary>
/// Components that the published files above do not use (Metaspace, Digits, NFKC, added-token flags, XLM-R's normalizer
/// on a Unigram model, Unigram byte fallback), checked the same
/// way: a real tokenizer.json with one part swapped, against the HuggingFace library on the corpus. And the refusal of
/// what is not supported.
/// </summary>
public sealed class TokenizerComponentTests
{
    public static TheoryData<string> Variants() => ["metaspace", "digits-nfkc", "added-token-flags", "unigram-xlmr-normalizer", "unigram-byte-fallback"];

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task A_variant_of_a_real_tokenizer_matches_the_huggingface_library(string variant)
    {
        using var directory = new TestDirectory("mlstack-tokenizer-variant-");
        var (source, edit) = Variant(variant);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(await source, TokenizerJson.FileName)))!;
        edit(json);
        File.WriteAllText(Path.Combine(directory.Path, TokenizerJson.FileName), json.ToJsonString());

        var tokenizer = TokenizerJson.Load(directory.Path);
        var texts = TokenizerCorpus.Texts;
        var references = await TokenizerReferences.EncodeAsync(Path.Combine(directory.Path, TokenizerJson.FileName), texts);
        var differences = texts.Select((text, i) => (text, i))
            .Where(t => !tokenizer.Encode(t.text, addSpecialTokens: true).SequenceEqual(references[t.i].Ids)
                || tokenizer.Decode(references[t.i].Ids, skipSpecialTokens: true) != references[t.i].Decoded)
            .Select(t => $"{System.Text.Json.JsonSerializer.Serialize(t.text)}: {string.Join(',', tokenizer.Encode(t.text, addSpecialTokens: true))}"
                + $" vs the library {string.Join(',', references[t.i].Ids)}; decoded {System.Text.Json.JsonSerializer.Serialize(references[t.i].Decoded)}").ToList();
        Assert.True(differences.Count == 0, $"{variant}: {differences.Count} texts differ, e.g.\n{string.Join("\n", differences.Take(6))}");
    }

    private static Task<string> Albert => TokenizerReferences.PrepareAsync(TokenizerReferences.Family("ALBERT v2 (SentencePiece Unigram, Precompiled)"));

    private static (Task<string> Source, Action<JsonNode> Edit) Variant(string name) => name switch
    {
        // Mistral's SentencePiece BPE with the Metaspace pre-tokenizer and decoder newer exports use instead of
        // Prepend + Replace.
        "metaspace" => (Task.FromResult(TokenizerReferences.Family("Mistral 7B v0.1 (SentencePiece BPE, Llama 2 layout)").Directory), json =>
        {
            json["normalizer"] = null;
            json["pre_tokenizer"] = JsonNode.Parse("""{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}""");
            json["decoder"] = JsonNode.Parse("""{"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}]}""");
        }),
        "digits-nfkc" => (Task.FromResult(RepositoryPaths.GeneratorVersionDirectory("tiny-llama")), json =>
        {
            json["normalizer"] = JsonNode.Parse("""{"type":"NFKC"}""");
            var steps = json["pre_tokenizer"]!["pretokenizers"]!.AsArray();
            steps.Insert(0, JsonNode.Parse("""{"type":"Digits","individual_digits":true}"""));
        }),
        "added-token-flags" => (Task.FromResult(RepositoryPaths.GeneratorVersionDirectory("tiny-llama")), json =>
        {
            var added = json["added_tokens"]!.AsArray();
            var vocab = json["model"]!["vocab"]!.AsObject();
            // The library gives an added token the vocabulary's id when its text is in the vocabulary, else the next free
            // one (not the file's): vocabulary words, and one new token, keep the ids unambiguous.
            var nextId = vocab.Max(p => p.Value!.GetValue<int>()) + 1;
            var words = vocab.Where(p => p.Key.Length >= 3 && p.Key.All(char.IsAsciiLetterLower)).OrderBy(p => p.Value!.GetValue<int>())
                .Select(p => p.Key).Take(4).ToArray();
            foreach (var (content, special, lstrip, rstrip, singleWord, normalized) in new[]
            {
                (words[0], false, false, false, true, true), (words[1], false, false, true, false, false),
                (words[2], true, true, false, false, false), (words[3], true, false, true, true, false), ("<s>", true, true, true, false, false),
            })
            {
                added.Add(new JsonObject
                {
                    ["id"] = vocab[content] is { } known ? known.GetValue<int>() : nextId, ["content"] = content,
                    ["single_word"] = singleWord, ["lstrip"] = lstrip, ["rstrip"] = rstrip, ["normalized"] = normalized, ["special"] = special,
                });
            }
        }),
        // XLMRobertaConverter's normalizer (the charsmap alone, then runs of spaces to one) on ALBERT's Unigram: the
        // charsmap then sees cased and accented text, which ALBERT's own NFKD + StripAccents + Lowercase remove first.
        "unigram-xlmr-normalizer" => (Albert, json =>
        {
            var charsmap = json["normalizer"]!["normalizers"]!.AsArray().Single(n => (string?)n!["type"] == "Precompiled")!.DeepClone();
            json["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(charsmap, JsonNode.Parse("""{"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}""")),
            };
        }),
        // Unigram's byte_fallback: the 256 <0xXX> pieces added (scored as the lowest piece, so the unknown score stays),
        // characters no piece covers become their UTF-8 bytes, and the decoder joins them back.
        "unigram-byte-fallback" => (Albert, json =>
        {
            var model = json["model"]!;
            var vocab = model["vocab"]!.AsArray();
            var lowest = vocab.Min(v => v![1]!.GetValue<double>());
            for (var b = 0; b < 256; b++) vocab.Add(new JsonArray($"<0x{b:X2}>", lowest));
            model["byte_fallback"] = true;
            json["decoder"] = JsonNode.Parse("""{"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}]}""");
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>
    /// Unigram's tie rule, which real scores (floats) seldom reach: equal-scoring segmentations keep the piece that starts
    /// earliest ("ab" over "a" + "b", "abc" over "ab" + "c" and "a" + "bc"), and unknown characters fuse into one unk.
    /// </summary>
    [Fact]
    public async Task Unigram_ties_and_unknown_runs_match_the_huggingface_library()
    {
        using var directory = new TestDirectory("mlstack-tokenizer-unigram-");
        var json = """
            {"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,
             "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},"post_processor":null,
             "decoder":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
             "model":{"type":"Unigram","unk_id":0,"byte_fallback":false,"vocab":[["<unk>",0.0],["▁",-1.0],["a",-1.0],["b",-1.0],["c",-1.0],
               ["ab",-2.0],["bc",-2.0],["abc",-3.0],["▁a",-2.0],["▁ab",-3.0],["ca",-2.0]]}}
            """;
        var path = Path.Combine(directory.Path, TokenizerJson.FileName);
        File.WriteAllText(path, json);
        string[] texts = ["ab", "abc", "abca", "cab", "a b c", "xyz", "axxb", "abcabc", "", " ", "bcab zz c"];
        var tokenizer = TokenizerJson.Load(directory.Path);
        var references = await TokenizerReferences.EncodeAsync(path, texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(references[i].Plain.SequenceEqual(tokenizer.Encode(texts[i], addSpecialTokens: false)),
                $"\"{texts[i]}\": {string.Join(',', tokenizer.Encode(texts[i], addSpecialTokens: false))}, the library {string.Join(',', references[i].Plain)}");
        }
    }

    [Theory]
    [InlineData("pre_tokenizer", """{"type":"UnicodeScripts"}""", "unsupported pre_tokenizer 'UnicodeScripts'")]
    [InlineData("normalizer", """{"type":"Nmt"}""", "unsupported normalizer 'Nmt'")]
    [InlineData("normalizer", """{"type":"Precompiled","precompiled_charsmap":"AQAAAA=="}""", "Precompiled charsmap's trie size 1 does not fit")]
    [InlineData("model", """{"type":"Unigram","unk_id":7,"vocab":[["a",-1.0]]}""", "the Unigram unk_id 7 is not in the vocabulary")]
    [InlineData("decoder", """{"type":"CTC","pad_token":"<pad>"}""", "unsupported decoder 'CTC'")]
    [InlineData("post_processor", """{"type":"Mystery"}""", "unsupported post_processor 'Mystery'")]
    [InlineData("model", """{"type":"WordLevel","vocab":{},"unk_token":"<unk>"}""", "unsupported model 'WordLevel'")]
    [InlineData("model", """{"type":"BPE","dropout":0.1,"vocab":{},"merges":[]}""", "unsupported BPE option 'dropout=0.1'")]
    public void An_unsupported_component_is_refused_at_load_with_one_line_naming_it(string component, string replacement, string message)
    {
        using var directory = new TestDirectory("mlstack-tokenizer-refused-");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.GeneratorVersionDirectory("tiny-llama"), TokenizerJson.FileName)))!;
        json[component] = JsonNode.Parse(replacement);
        File.WriteAllText(Path.Combine(directory.Path, TokenizerJson.FileName), json.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => TokenizerJson.Load(directory.Path));

        Assert.Contains(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
