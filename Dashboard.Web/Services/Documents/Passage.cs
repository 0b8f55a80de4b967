namespace MlStack.Dashboard.Services.Documents;

/// <summary>A retrieved chunk of a document, with where it came from and how close it is to the question (cosine, 1 = same direction).</summary>
public sealed record Passage(string DocumentName, int ChunkIndex, string Text, double Score);

/// <summary>Semantic search over one collection; the seam the RAG service is tested through.</summary>
public interface ISemanticSearch
{
    Task<IReadOnlyList<Passage>> SearchAsync(string collection, string text, int k, CancellationToken cancellationToken);
}
