using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.UnitTests.HttpDoors;

public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("application/vnd.api+json", true)]
    [InlineData("text/csv", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData(null, false)]
    [InlineData("", false)]
    public void Only_json_bodies_are_read(string? contentType, bool json)
    {
        Assert.Equal(json, JsonBody.IsJson(contentType));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("*/*", true)]
    [InlineData("application/json", true)]
    [InlineData("text/csv, application/json;q=0.5", true)]
    [InlineData("application/*", true)]
    [InlineData("text/csv", false)]
    [InlineData("application/json;q=0", false)]
    public void Accept_must_allow_json(string? accept, bool accepted)
    {
        Assert.Equal(accepted, JsonBody.AcceptsJson(accept));
    }
}
