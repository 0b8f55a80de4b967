namespace MlStack.Inference.Tokenization;

/// <summary>
/// A piece of the input on its way to the model: its text after normalization and pre-tokenization so far, and whether
/// it begins where the original input begins (Metaspace's prepend_scheme "first" prepends only there).
/// </summary>
public readonly record struct Piece(string Text, bool AtStart);
