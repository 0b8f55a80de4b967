namespace MlStack.Inference.Batching;

/// <summary>What the token budget sees of queued work: its rows and their tokens.</summary>
public interface IBatchItem
{
    int Rows { get; }

    /// <summary>Tokens of the longest row: a padded run gives every row this length.</summary>
    int LongestRow { get; }

    int ShortestRow { get; }

    /// <summary>Tokens of all rows, unpadded.</summary>
    int Tokens { get; }
}
