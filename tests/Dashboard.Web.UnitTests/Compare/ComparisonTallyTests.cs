using Microsoft.Extensions.Options;
using MlStack.Dashboard.Components.Pages.Compare;
using MlStack.Dashboard.Services.AppData;
using MlStack.Dashboard.Services.Compare;
using MlStack.Dashboard.UnitTests.Chat;

namespace MlStack.Dashboard.UnitTests.Compare;

public sealed class ComparisonTallyTests : DashboardComponentContext
{
    private readonly string folder = Directory.CreateTempSubdirectory("mlstack-tally-").FullName;

    private ComparisonTally NewTally() =>
        new(new AppDataFolder(Options.Create(new AppDataOptions { DataDirectory = folder }), new TestHostEnvironment(folder)));

    [Fact]
    public void Votes_count_for_the_model_whichever_side_it_was_shown_on()
    {
        var now = DateTimeOffset.UtcNow;
        var pairs = ComparisonTally.Summarize(
        [
            new("tiny-gpt (v1)", "qwen (v2)", ComparisonWinner.A, now),
            new("qwen (v2)", "tiny-gpt (v1)", ComparisonWinner.A, now),
            new("qwen (v2)", "tiny-gpt (v1)", ComparisonWinner.Tie, now),
            new("qwen (v2)", "tiny-gpt (v1)", ComparisonWinner.B, now),
            new("a", "b", ComparisonWinner.B, now),
        ]);

        Assert.Equal(2, pairs.Count);
        var main = pairs[0];
        Assert.Equal(("qwen (v2)", "tiny-gpt (v1)"), (main.First, main.Second));
        Assert.Equal((1, 2, 1, 4), (main.FirstWins, main.SecondWins, main.Ties, main.Total));
        Assert.Equal(0.5, main.SecondWinRate);
        Assert.Equal(0.25, main.TieRate);
    }

    [Fact]
    public async Task The_tally_survives_a_restart_through_its_file()
    {
        await NewTally().RecordAsync("tiny-gpt (v1)", "ollama llama3", ComparisonWinner.B, CancellationToken.None);
        await NewTally().RecordAsync("ollama llama3", "tiny-gpt (v1)", ComparisonWinner.Tie, CancellationToken.None);

        var pair = Assert.Single(await NewTally().PairsAsync(CancellationToken.None));
        Assert.Equal(("ollama llama3", 1, 1, 2), (pair.First, pair.FirstWins, pair.Ties, pair.Total));
        Assert.True(File.Exists(Path.Combine(folder, ComparisonTally.FileName)));
        Assert.False(File.Exists(Path.Combine(folder, ComparisonTally.FileName + ".tmp")));
    }

    [Fact]
    public void The_csv_export_has_a_header_and_quotes_what_needs_quoting()
    {
        var csv = ComparisonTally.ToCsv([new PairTally("model, \"big\"", "=cmd", 3, 1, 0)]);
        Assert.Equal("model_a,model_b,a_wins,b_wins,ties,total,a_win_rate,b_win_rate,tie_rate\n" +
            "\"model, \"\"big\"\"\",'=cmd,3,1,0,4,0.75,0.25,0\n", csv);
    }

    [Fact]
    public void The_table_shows_win_rates_per_pair()
    {
        var cut = Render<ComparisonTallyTable>(p => p.Add(c => c.Pairs, [new PairTally("a (v1)", "b (v1)", 3, 1, 1)]));

        var row = cut.Find("[data-testid=tally-row]");
        Assert.Equal("5", row.GetAttribute("data-total"));
        Assert.Equal("60 %", row.QuerySelector("[data-testid=first-rate]")!.TextContent);
        Assert.Equal("20 %", row.QuerySelector("[data-testid=second-rate]")!.TextContent);
        Assert.Equal("1", row.QuerySelector("[data-testid=ties]")!.TextContent);
        Assert.Contains("width:60.0%", row.QuerySelector(".rate-bar .first")!.GetAttribute("style"));
    }

    [Fact]
    public void An_empty_tally_invites_a_vote()
    {
        var cut = Render<ComparisonTallyTable>();
        Assert.Contains("No votes yet", cut.Find("[data-testid=tally-empty]").TextContent);
    }

    protected override void CleanUp() => Directory.Delete(folder, recursive: true);
}
