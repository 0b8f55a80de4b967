namespace MlStack.VectorStore.Documents;

/// <summary>A piece of a document's text; offsets are UTF-16 positions in the extracted text, end exclusive.</summary>
public sealed record TextChunk(int Index, int Start, int End, string Text);
