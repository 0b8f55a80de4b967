using System.Text;
using MlStack.Inference.Generation;
using MlStack.Inference.Tokenization;

namespace MlStack.Inference.HttpDoors.Tokenize;

/// <summary>
/// A token as transformers' convert_ids_to_tokens spells it (vLLM's token_strs): the vocabulary's own spelling where the
/// model has tokenizer.json (byte-level "Ġhello", SentencePiece "▁hello", WordPiece "##lo"); for GPT-2's vocab.json +
/// merges.txt, which are byte-level by definition, a special token's text, else its bytes in GPT-2's byte alphabet.
/// </summary>
public static class TokenStrings
{
    public static string Of(ModelTokenizer tokenizer, int id)
    {
        if (tokenizer.TokenString(id) is { } spelled) return spelled;
        var bytes = tokenizer.TokenBytes(id);
        return tokenizer.IsSpecial(id) ? Encoding.UTF8.GetString(bytes) : ByteLevel.Encode(bytes);
    }
}
