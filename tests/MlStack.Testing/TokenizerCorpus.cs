namespace MlStack.Testing;

/// <summary>
/// The texts tokenizers are compared on: English, code, runs of spaces and newlines, digits, emoji, CJK, Arabic,
/// Devanagari, and text that spells special tokens, each alone and in fixed variations (with spaces around, doubled,
/// joined to the next), so that every family is checked on the same few hundred texts. Deterministic: a failure
/// names its text.
/// </summary>
public static class TokenizerCorpus
{
    private static readonly string[] Seeds =
    [
        // English
        "Hello world", "Hello, world!", "The quick brown fox jumps over the lazy dog.", "I'm sure they'll say it's fine, won't they?",
        "ALL CAPS AND MiXeD cAsE", "don't DON'T Don't", "e-mail: someone@example.com, https://example.org/a?b=c&d=e",
        "A sentence.\nAnother one.\n\nA paragraph after a blank line.", "Tabs\tand\ttabs", "naïve café résumé Ångström",
        "\"Quoted,\" she said. 'Single' (parens) [brackets] {braces}",
        // Code
        "def add(a, b):\n    return a + b\n", "for (int i = 0; i < n; i++) {\n\tsum += x[i];\n}", "const f = (x) => x ** 2; // square",
        "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;", "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
        "if x != None and not y:\n        pass\n    else:\n        raise ValueError('bad')", "<div class=\"a\">&amp; &lt;tag&gt;</div>",
        "{\"key\": [1, 2.5, -3e10, true, null]}", "snake_case camelCase PascalCase kebab-case SCREAMING_CASE",
        // Spaces and newlines
        " leading space", "trailing space ", "  two leading", "many     spaces     inside", "\n", "\n\n\n", "line\n\n\n\nline",
        "\r\nwindows\r\nlines\r\n", "   \n   \n", " \t \t ", "end with newline\n", "a\u00A0non-breaking space", "  ",
        // Digits
        "0", "12", "123", "1234", "12345678901234567890", "3.14159 2.71828", "1,000,000 and 1.000.000", "2024-06-30T12:34:56Z",
        "Call 555-0100 ext. 42", "x1y22z333", "٣٤٥ ١٢ (Arabic-Indic digits)", "१२३ (Devanagari digits)", "½ ⅓ ² ³ Ⅻ",
        // Emoji
        "👋", "Hello 👋 world 🌍!", "👨‍👩‍👧‍👦 family", "🇫🇷🇯🇵 flags", "❤️ 💯 🔥🔥🔥", "emoji🙂inside🙂words", "🏳️‍🌈",
        // CJK
        "你好，世界！", "我爱自然语言处理。", "日本語のテキストです。カタカナもあります。", "한국어 문장입니다.", "中文 English 混合 text",
        "𠀀𠀁 (supplementary ideographs)", "東京都渋谷区",
        // Arabic
        "مرحبا بالعالم", "اللغة العربية جميلة.", "النص العربي مع English mixed", "السَّلَامُ عَلَيْكُمْ",
        // Devanagari
        "नमस्ते दुनिया", "हिन्दी भाषा में एक वाक्य।", "क्षत्रिय ज्ञान श्रृंगार",
        // Other scripts and symbols
        "Привет, мир!", "Γειά σου Κόσμε", "שלום עולם", "สวัสดีชาวโลก", "∀x ∈ ℝ: x² ≥ 0 → √x", "€100 £50 ¥1000 ₹500",
        "\u200Bzero\u200Dwidth\uFEFF", "combining e\u0301 vs é",
        // Text that spells special tokens of the families tested
        "<s>", "</s>", "<unk>", "<s> hello </s>", "<|begin_of_text|>Hi", "<|eot_id|>", "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
        "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", "<|endoftext|>", "<bos><start_of_turn>user\nHi<end_of_turn>\n",
        "<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜>", "<|start|>user<|message|>Hi<|end|>", "<think>\nreasoning\n</think>\n\nanswer",
        "[CLS] a [SEP] b [MASK] [PAD]", "text<|endoftext|>more text", "<|im_start|>", " <|im_end|> ", "<s><s></s>",
    ];

    /// <summary>Every text, at least 200.</summary>
    public static IReadOnlyList<string> Texts { get; } = Build();

    private static List<string> Build()
    {
        var texts = new List<string>();
        foreach (var seed in Seeds)
        {
            texts.Add(seed);
            texts.Add(" " + seed);
            texts.Add(seed + "\n");
        }
        for (var i = 0; i + 1 < Seeds.Length; i += 2)
        {
            texts.Add(Seeds[i] + Seeds[i + 1]);
            texts.Add(Seeds[i] + "  " + Seeds[Seeds.Length - 1 - i]);
        }
        texts.Add(string.Join("\n", Seeds));
        return [.. texts.Distinct(StringComparer.Ordinal)];
    }
}
