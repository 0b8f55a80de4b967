namespace MlStack.Inference.Generation;

/// <summary>A token and its log-probability under the distribution the sampler drew from.</summary>
public readonly record struct TokenLogprob(int Token, float Logprob);

/// <summary>A generated token's logprob and the most likely tokens at its position, most likely first (ties: lower id first).</summary>
public sealed record TokenLogprobs(int Token, float Logprob, IReadOnlyList<TokenLogprob> Top);

/// <summary>How the doors spell a token in logprobs: its UTF-8 bytes, and those decoded (a piece of a character is U+FFFD).</summary>
public static class TokenSpelling
{
    public static byte[] Bytes(ModelTokenizer tokenizer, int id) => tokenizer.TokenBytes(id).ToArray();

    public static string Text(ModelTokenizer tokenizer, int id) => System.Text.Encoding.UTF8.GetString(tokenizer.TokenBytes(id));
}
