namespace MlStack.Dashboard.Services.Documents;

/// <summary>A collection as the pages show it.</summary>
public sealed record CollectionSummary(string Name, long DocumentCount, long ChunkCount);

/// <summary>A document of a collection as the pages show it.</summary>
public sealed record DocumentSummary(string Name, string ContentType, int ChunkCount, long Characters, DateTimeOffset IngestedAt);

/// <summary>One progress record of an ingest: its stage in words, the chunks done of the total, and whether it is committed.</summary>
public sealed record IngestStep(string Stage, int ChunksDone, int ChunksTotal, bool Committed);

/// <summary>The collections, as the chat's picker needs them; the seam the chat session is tested through.</summary>
public interface IDocumentCollections
{
    Task<IReadOnlyList<CollectionSummary>> ListCollectionsAsync(CancellationToken cancellationToken);
}
