namespace MlStack.Dashboard.Services.Compare;

public enum ComparisonWinner { A, B, Tie }

/// <summary>One vote: which of two answers to the same prompt was better. A and B are backend labels, e.g. "tiny-gpt (v1)".</summary>
public sealed record ComparisonVote(string A, string B, ComparisonWinner Winner, DateTimeOffset At);

/// <summary>
/// The tally of one pair, whichever side each model was shown on: wins of <see cref="First"/>, wins of
/// <see cref="Second"/> (ordered by name), and ties.
/// </summary>
public sealed record PairTally(string First, string Second, int FirstWins, int SecondWins, int Ties)
{
    public int Total => FirstWins + SecondWins + Ties;

    public double FirstWinRate => Total == 0 ? 0 : (double)FirstWins / Total;

    public double SecondWinRate => Total == 0 ? 0 : (double)SecondWins / Total;

    public double TieRate => Total == 0 ? 0 : (double)Ties / Total;
}
