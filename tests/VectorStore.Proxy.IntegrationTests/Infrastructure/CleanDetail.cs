namespace MlStack.VectorStore.IntegrationTests.Infrastructure;

/// <summary>What no gRPC status detail or problem detail of the proxy may contain (issue 11, point 5).</summary>
public static class CleanDetail
{
    private static readonly string[] InternalWords = ["System.", "Microsoft.", "Exception", "   at ", "/work/", "/tmp/", "QueryBody", "CreateCollectionBody", "Chroma "];

    public static void Assert(string detail, string? callerString = null)
    {
        Xunit.Assert.True(detail.Length <= 400, $"detail of {detail.Length} characters: {detail[..Math.Min(detail.Length, 400)]}");
        foreach (var word in InternalWords) Xunit.Assert.DoesNotContain(word, detail);
        if (callerString is { Length: > 80 }) Xunit.Assert.DoesNotContain(callerString[..80], detail);
    }
}
