using Ganss.Xss;
using Markdig;

namespace MlStack.Dashboard.Services.Markdown;

/// <summary>
/// Model output to HTML that is safe to put in the page: Markdig with raw HTML disabled (tags the model writes come
/// out as text), then HtmlSanitizer as a second wall (javascript: links, event attributes, anything Markdig lets
/// through from an extension). Links open in a new tab without an opener.
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseEmphasisExtras()
        .UsePipeTables()
        .UseAutoLinks()
        .UseTaskLists()
        // Models write single line breaks as line breaks (verses, lists without markers); Markdown would join the lines.
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    public string ToHtml(string markdown) =>
        string.IsNullOrEmpty(markdown) ? "" : _sanitizer.Sanitize(Markdig.Markdown.ToHtml(markdown, _pipeline));

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedTags.Remove("img");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("target", "_blank");
                link.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
        return sanitizer;
    }
}
