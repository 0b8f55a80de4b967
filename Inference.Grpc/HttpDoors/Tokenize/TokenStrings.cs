using System.Text;
using MlStack.Inference.Generation;

namespace MlStack.Inference.HttpDoors.Tokenize;

/// <summary>
/// A token as transformers' convert_ids_to_tokens spells it (vLLM's token_strs): the vocabulary's own spelling where the
/// model has tokenizer.json (byte-level "Ġhello", SentencePiece "▁hello", WordPiece "##lo"); for GPT-2's vocab.json +
/// merges.txt, which are byte-level by definition, a special token's text, else its bytes in GPT-2's byte alphabet.
/// </summary>
public static class TokenStrings
{
    private static readonly char[] ByteToChar = BuildAlphabet();

    public static string Of(ModelTokenizer tokenizer, int id)
    {
        if (tokenizer.TokenString(id) is { } spelled) return spelled;
        var bytes = tokenizer.TokenBytes(id);
        if (tokenizer.IsSpecial(id)) return Encoding.UTF8.GetString(bytes);
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) sb.Append(ByteToChar[b]);
        return sb.ToString();
    }

    /// <summary>GPT-2's reversible map of the 256 byte values onto printable characters.</summary>
    private static char[] BuildAlphabet()
    {
        var map = new char[256];
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
            map[b] = printable ? (char)b : (char)(256 + extra++);
        }
        return map;
    }
}
