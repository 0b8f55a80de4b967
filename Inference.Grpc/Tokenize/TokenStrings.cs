using System.Text;
using MlStack.Inference.Generation;

namespace MlStack.Inference.Tokenize;

/// <summary>
/// A token as transformers' convert_ids_to_tokens spells it (vLLM's token_strs): a special token's text, else its bytes
/// in GPT-2's byte-level alphabet ("Ġhello"), which is how byte-level BPE vocabularies write their tokens. Built from
/// the tokenizer interface's raw bytes, so it needs nothing from the tokenizer but TokenBytes and IsSpecial.
/// </summary>
public static class TokenStrings
{
    private static readonly char[] ByteToChar = BuildAlphabet();

    public static string Of(ModelTokenizer tokenizer, int id)
    {
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
