using MlStack.Inference.Repository;

namespace MlStack.Inference.UnitTests.Repository;

public sealed class LoadStagesTests
{
    [Fact]
    public void Stages_are_listed_in_order_and_a_stage_alongside_does_not_add_to_the_total()
    {
        var stages = new LoadStages();
        Thread.Sleep(20);
        stages.Mark("session");
        stages.Alongside("tokenizer (alongside the session)", TimeSpan.FromSeconds(5));
        stages.Mark("layout");

        Assert.Equal(["session", "tokenizer (alongside the session)", "layout"], stages.Stages.Select(s => s.Stage));
        Assert.True(stages.Stages[0].Took >= TimeSpan.FromMilliseconds(15));
        Assert.Equal(TimeSpan.FromSeconds(5), stages.Stages[1].Took);
        // The total is wall time from the start to the last mark: the 5 s stage ran on another thread meanwhile.
        Assert.InRange(stages.Total, stages.Stages[0].Took + stages.Stages[2].Took, TimeSpan.FromSeconds(4));
        Assert.Matches(@"^session 0\.\d\d s, tokenizer \(alongside the session\) 5\.00 s, layout 0\.\d\d s; total 0\.\d\d s$", stages.ToString());
    }
}
