using System.Globalization;
using System.Text;

namespace MlStack.AppHost.Publishing.Reading;

/// <summary>
/// Renders any value Aspire puts in environment or args as literal text and parameter references; unknown kinds fail
/// publishing loudly. A secret's value is never asked for.
/// </summary>
internal sealed class ValueRenderer(IReadOnlyDictionary<string, DeployedParameter> parameters, EndpointResolver endpoints)
{
    /// <summary>The rendered value; each endpoint it addresses is added to <paramref name="uses"/>.</summary>
    public RenderedValue Render(object? value, List<DeployedConnection> uses)
    {
        var parts = new List<object>();
        Append(value, parts, uses);
        var merged = new List<object>();
        foreach (var part in parts.Where(p => p is not ""))
        {
            if (part is string text && merged.Count > 0 && merged[^1] is string previous)
            {
                merged[^1] = previous + text;
            }
            else
            {
                merged.Add(part);
            }
        }
        return new RenderedValue(merged);
    }

    private void Append(object? value, List<object> parts, List<DeployedConnection> uses)
    {
        switch (value)
        {
            case null:
                break;
            case string text:
                parts.Add(text);
                break;
            case ParameterResource parameter:
                parts.Add(parameters[parameter.Name]);
                break;
            case EndpointReference endpoint:
                parts.Add(endpoints.Value(endpoint, EndpointProperty.Url, uses));
                break;
            case EndpointReferenceExpression expression:
                parts.Add(endpoints.Value(expression.Endpoint, expression.Property, uses));
                break;
            case ReferenceExpression { IsConditional: true } conditional:
                throw new NotSupportedException($"Conditional expression '{conditional.ValueExpression}' cannot be published.");
            case ReferenceExpression expression:
                AppendFormat(expression, parts, uses);
                break;
            case ConnectionStringReference reference:
                Append(reference.Resource.ConnectionStringExpression, parts, uses);
                break;
            case IResourceWithConnectionString resource:
                Append(resource.ConnectionStringExpression, parts, uses);
                break;
            case IFormattable formattable:
                parts.Add(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new NotSupportedException($"A value of type {value.GetType().Name} cannot be published.");
        }
    }

    private void AppendFormat(ReferenceExpression expression, List<object> parts, List<DeployedConnection> uses)
    {
        var format = expression.Format;
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            var end = format.IndexOf('}', i);
            var index = int.Parse(format.AsSpan(i + 1, end - i - 1).ToString().Split(':')[0], CultureInfo.InvariantCulture);
            parts.Add(literal.ToString());
            literal.Clear();
            var provider = expression.ValueProviders[index];
            var stringFormat = index < expression.StringFormats.Count ? expression.StringFormats[index] : null;
            if (stringFormat == "uri")
            {
                var inner = Render(provider, uses);
                parts.Add(inner.IsLiteral ? Uri.EscapeDataString(inner.LiteralText) : throw new NotSupportedException(
                    $"'{expression.ValueExpression}' URI-encodes a parameter, which cannot be done without its value."));
            }
            else
            {
                Append(provider, parts, uses);
            }
            i = end;
        }
        parts.Add(literal.ToString());
    }
}
