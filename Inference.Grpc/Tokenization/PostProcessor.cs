using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// tokenizer.json's "post_processor" for one sequence (a prompt, a text to embed): the special tokens put around it.
/// Supported: TemplateProcessing (its single template), BertProcessing, RobertaProcessing, ByteLevel (offsets only:
/// no ids), Sequence.
/// </summary>
public sealed class PostProcessor(IReadOnlyList<int> before, IReadOnlyList<int> after)
{
    public static readonly PostProcessor None = new([], []);

    /// <summary>Ids put before the sequence (the BOS transformers adds to a raw prompt).</summary>
    public IReadOnlyList<int> Before => before;
    public IReadOnlyList<int> After => after;
    public int AddedCount => before.Count + after.Count;

    public List<int> Apply(IReadOnlyList<int> ids)
    {
        var result = new List<int>(ids.Count + AddedCount);
        result.AddRange(before);
        result.AddRange(ids);
        result.AddRange(after);
        return result;
    }

    public static PostProcessor Read(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Null) return None;
        var type = TokenizerJson.TypeOf(node, "post_processor");
        switch (type)
        {
            case "ByteLevel":
                return None;
            case "BertProcessing" or "RobertaProcessing":
                return new PostProcessor([node.GetProperty("cls")[1].GetInt32()], [node.GetProperty("sep")[1].GetInt32()]);
            case "Sequence":
                var steps = node.GetProperty("processors").EnumerateArray().Select(Read).ToList();
                return new PostProcessor([.. steps.SelectMany(s => s.Before)], [.. steps.AsEnumerable().Reverse().SelectMany(s => s.After)]);
            case "TemplateProcessing":
                var specials = node.GetProperty("special_tokens");
                List<int> head = [], tail = [];
                var sequences = 0;
                foreach (var item in node.GetProperty("single").EnumerateArray())
                {
                    if (item.TryGetProperty("Sequence", out _))
                    {
                        sequences++;
                        continue;
                    }
                    var name = item.GetProperty("SpecialToken").GetProperty("id").GetString()!;
                    if (!specials.TryGetProperty(name, out var special))
                        throw new InvalidDataException($"tokenizer.json: post_processor TemplateProcessing names '{name}', which its special_tokens lack.");
                    (sequences == 0 ? head : tail).AddRange(special.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()));
                }
                if (sequences != 1) throw TokenizerJson.Unsupported("post_processor TemplateProcessing single template with sequences", sequences.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return new PostProcessor(head, tail);
            default:
                throw TokenizerJson.Unsupported("post_processor", type);
        }
    }
}
