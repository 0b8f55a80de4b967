using System.Text;
using MlStack.Inference.Generation;

namespace MlStack.Inference.UnitTests.Generation;

public sealed class StreamingTextTests
{
    [Fact]
    public void Multi_byte_characters_split_across_tokens_are_held_back_until_complete()
    {
        var decoder = new Utf8StreamDecoder();
        var bytes = Encoding.UTF8.GetBytes("aé👋");  // 1 + 2 + 4 bytes

        Assert.Equal("a", decoder.Append(bytes.AsSpan(0, 2)));   // 'a' and the first byte of 'é'
        Assert.Equal("é", decoder.Append(bytes.AsSpan(2, 2)));   // the rest of 'é' and the first byte of 👋
        Assert.Equal(string.Empty, decoder.Append(bytes.AsSpan(4, 2)));
        Assert.Equal("👋", decoder.Append(bytes.AsSpan(6, 1)));
        Assert.Equal(string.Empty, decoder.Flush());
    }

    [Fact]
    public void A_truncated_character_at_the_end_is_flushed_as_a_replacement_character()
    {
        var decoder = new Utf8StreamDecoder();
        Assert.Equal(string.Empty, decoder.Append(new byte[] { 0xE2, 0x82 }));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void Text_that_may_start_a_stop_sequence_is_held_back_and_never_emitted()
    {
        var matcher = new StopSequenceMatcher(["\n\nUser:"]);
        Assert.Equal("Hello", matcher.Append("Hello\n"));
        Assert.Equal(string.Empty, matcher.Append("\nUs"));
        Assert.Equal(string.Empty, matcher.Append("er: there"));
        Assert.Equal("\n\nUser:", matcher.Matched);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void A_stop_sequence_ends_the_text_before_it()
    {
        var matcher = new StopSequenceMatcher(["END", "stop"]);
        Assert.Equal("one two ", matcher.Append("one two ST"[..8]));
        Assert.Equal("three ", matcher.Append("three EN"));
        Assert.Equal(string.Empty, matcher.Append("D four"));
        Assert.Equal("END", matcher.Matched);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Held_back_text_that_turned_out_not_to_be_a_stop_is_released()
    {
        var matcher = new StopSequenceMatcher(["END"]);
        Assert.Equal("the ", matcher.Append("the EN"));
        Assert.Equal("ENd", matcher.Append("d"));
        Assert.Equal(string.Empty, matcher.Append("E"));
        Assert.Equal("E", matcher.Flush());
        Assert.Null(matcher.Matched);
    }
}
