using static MlStack.Inference.UnitTests.Generation.ChatTemplates.TemplateEvaluation;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

// The statements, parsed and rendered.
public sealed class TemplateParserTests
{
    [Theory]
    [InlineData(0L, "zero")]
    [InlineData(1L, "one")]
    [InlineData(5L, "many")]
    public void If_elif_else_takes_the_first_true_branch(long n, string expected) =>
        Assert.Equal(expected, Render("{% if n == 0 %}zero{% elif n == 1 %}one{% else %}many{% endif %}", new() { ["n"] = n }));

    [Fact]
    public void A_loop_filter_counts_only_the_items_it_keeps() =>
        Assert.Equal("1:2/2,2:4/2.",
            Render("{% for n in [1, 2, 3, 4] if n % 2 == 0 %}{{ loop.index }}:{{ n }}/{{ loop.length }}{{ ',' if not loop.last else '.' }}{% endfor %}"));

    [Fact]
    public void Loop_variables_see_their_neighbours() =>
        Assert.Equal("[|b|0|2][a|c|1|1][b||2|0]",
            Render("{% for x in ['a', 'b', 'c'] %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.index0 }}|{{ loop.revindex0 }}]{% endfor %}"));

    [Fact]
    public void Loops_unpack_pairs_iterate_mapping_keys_and_string_characters()
    {
        Assert.Equal("a=1;b=2;", Render("{% for k, v in [['a', 1], ['b', 2]] %}{{ k }}={{ v }};{% endfor %}"));
        Assert.Equal("x,y,", Render("{% for k in {'x': 1, 'y': 2} %}{{ k }},{% endfor %}"));
        Assert.Equal("h.i.", Render("{% for c in 'hi' %}{{ c }}.{% endfor %}"));
    }

    [Fact]
    public void An_empty_or_missing_sequence_takes_the_else_branch()
    {
        Assert.Equal("empty", Render("{% for m in [] %}x{% else %}empty{% endfor %}"));
        Assert.Equal("empty", Render("{% for m in missing %}x{% else %}empty{% endfor %}"));
    }

    [Fact]
    public void Set_inside_a_loop_stays_in_the_loop_and_a_namespace_carries_values_out() =>
        Assert.Equal("False|3",
            Render("{% set ns = namespace(total=0) %}{% for n in [1, 2] %}{% set x = n %}{% set ns.total = ns.total + n %}{% endfor %}" +
                   "{{ x is defined }}|{{ ns.total }}"));

    [Theory]
    [InlineData("{% endif %}", "unsupported tag '{% endif %}' at line 1, column 4")]
    [InlineData("{% for x in y %}", "'{% for %}' is never closed: missing '{% endfor %}' at line 1, column 3")]
    [InlineData("{% set x | upper %}y{% endset %}", "expected '=' (a filtered {% set %} block is not supported) at line 1, column 10")]
    [InlineData("a\n  {% include 'other' %}", "unsupported tag '{% include %}' at line 2, column 6")]
    [InlineData("{% for x y %}{% endfor %}", "expected 'in' but found 'y' at line 1, column 10")]
    [InlineData("{% set x.y = 1 %}", "'x' is not a namespace(): cannot set 'x.y'")]
    [InlineData("{% for a, b in [1] %}{% endfor %}", "cannot unpack a number into 2 names")]
    [InlineData("{% for x in 3 %}{% endfor %}", "a number is not iterable")]
    public void Statements_outside_the_subset_or_misused_are_refused(string template, string message) =>
        Assert.Equal(message, Refusal(() => Render(template)));
}
