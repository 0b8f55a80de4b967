using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class ValuesTests
{
    public static TheoryData<object?, bool> Truthiness => new()
    {
        { null, false },
        { Undefined.Value, false },
        { false, false },
        { 0L, false },
        { 0.0, false },
        { "", false },
        { new List<object?>(), false },
        { new Dictionary<string, object?>(), false },
        { 2L, true },
        { "0", true },
        { new List<object?> { null }, true },
    };

    [Theory]
    [MemberData(nameof(Truthiness))]
    public void Truthiness_is_pythons(object? value, bool expected) => Assert.Equal(expected, Values.IsTrue(value));

    public static TheoryData<object?, string> Printed => new()
    {
        { null, "None" },
        { Undefined.Value, "" },
        { true, "True" },
        { false, "False" },
        { 42L, "42" },
        { 0.25, "0.25" },
        { "text", "text" },
        { new List<object?> { "a", 1L, null, 1.0 }, "['a', 1, None, 1.0]" },
        { new Dictionary<string, object?> { ["k"] = "it's" }, "{'k': \"it's\"}" },
    };

    [Theory]
    [MemberData(nameof(Printed))]
    public void Values_print_as_jinja_prints_them(object? value, string expected) => Assert.Equal(expected, Values.ToText(value));

    [Fact]
    public void Numbers_compare_across_long_and_double_and_undefined_equals_only_itself()
    {
        Assert.True(Values.AreEqual(1L, 1.0));
        Assert.True(Values.AreEqual(2.0, 2L));
        Assert.True(Values.AreEqual(Undefined.Value, Undefined.Value));
        Assert.False(Values.AreEqual(Undefined.Value, null));
        Assert.False(Values.AreEqual("1", 1L));
    }

    [Fact]
    public void Only_numbers_and_booleans_are_numbers()
    {
        Assert.Equal(1.0, Values.ToNumber(true));
        Assert.Equal(3.0, Values.ToNumber(3L));
        Assert.Equal("expected a number but got a mapping",
            Assert.Throws<ChatTemplateException>(() => Values.ToNumber(new Dictionary<string, object?>())).Message);
    }
}
