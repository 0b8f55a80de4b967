using System.Text;
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
        var tokenizer = TokenizerJson.Load(family.Directory);
        var texts = TokenizerCorpus.Texts;
        Assert.True(texts.Count >= 200, $"the corpus has {texts.Count} texts");
        var references = await TokenizerReferences.EncodeAsync(Path.Combine(family.Directory, TokenizerJson.FileName), texts);

        var failures = new StringBuilder();
        var roundTrips = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            var expected = references[i];
            int[] expectedIds = family.TransformersBosId is { } bos ? [bos, .. expected.Plain] : expected.Ids;
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
        Assert.True(roundTrips >= texts.Count / 4, $"{name}: only {roundTrips} texts round-trip in the library itself");
    }

    private static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
