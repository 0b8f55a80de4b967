using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.Records;

/// <summary>
/// A user collection as it is stored in Chroma: the chunk collection (named like the user collection), its manifest
/// collection, and the embedding model and dimension every vector in it was made with.
/// </summary>
public sealed record StoredCollection(string Name, string ChunksId, string ManifestId, string Model, int Dimensions)
{
    /// <summary>Refuses vectors from another model than the one the collection was built with.</summary>
    public void RequireModel(string model, int dimensions)
    {
        if (model != Model || dimensions != Dimensions)
            throw StoreException.FailedPrecondition(
                $"collection '{Name}' was built with embedding model '{Model}' ({Dimensions} dimensions) " +
                $"but the inference service now answers with '{model}' ({dimensions} dimensions); re-create the collection to use it");
    }
}
