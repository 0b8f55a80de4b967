namespace MlStack.VectorStore.Chroma;

public static class ChromaClientNames
{
    /// <summary>A client without retries: a health probe must report what it sees now.</summary>
    public const string Health = "chroma-health";
}
