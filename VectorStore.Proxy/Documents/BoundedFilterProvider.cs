using System.IO.Compression;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace MlStack.VectorStore.Documents;

/// <summary>
/// PdfPig's stream filters with a budget: the bytes all streams of one document decode to, together. A Flate stream
/// (the usual bomb: a megabyte that inflates to gigabytes) is first inflated into nothing, counting, and refused
/// before PdfPig decodes it for real, so the budget holds before memory is taken. Other filters are counted after
/// decoding; their expansion is small (run-length) or left to the worker process's memory limit (LZW).
/// PdfPig has no decode budget of its own, so this wraps its filters rather than replacing them.
/// </summary>
public sealed class BoundedFilterProvider : BaseFilterProvider
{
    private readonly Budget _budget;

    public BoundedFilterProvider(long maxDecompressedBytes) : this(new Budget(maxDecompressedBytes)) { }

    private BoundedFilterProvider(Budget budget) : base(Wrap(budget)) => _budget = budget;

    /// <summary>True once a stream would have passed the budget (PdfPig may swallow the exception in lenient parsing).</summary>
    public bool Exceeded => _budget.Exceeded;

    public long DecodedBytes => _budget.Used;

    private static Dictionary<string, IFilter> Wrap(Budget budget)
    {
        IFilter flate = new CountedFilter(new FlateFilter(), budget, preflightInflate: true);
        IFilter lzw = new CountedFilter(new LzwFilter(), budget, preflightInflate: false);
        IFilter runLength = new CountedFilter(new RunLengthFilter(), budget, preflightInflate: false);
        IFilter ascii85 = new Ascii85Filter();
        IFilter asciiHex = new AsciiHexDecodeFilter();
        IFilter ccitt = new CcittFaxDecodeFilter();
        IFilter dct = new DctDecodeFilter();
        IFilter jbig2 = new Jbig2DecodeFilter();
        IFilter jpx = new JpxDecodeFilter();
        // The names and abbreviations of PDF 1.7, table 6 (and inline-image abbreviations, table 94).
        return new Dictionary<string, IFilter>
        {
            [NameToken.FlateDecode.Data] = flate, [NameToken.FlateDecodeAbbreviation.Data] = flate,
            [NameToken.LzwDecode.Data] = lzw, [NameToken.LzwDecodeAbbreviation.Data] = lzw,
            [NameToken.RunLengthDecode.Data] = runLength, [NameToken.RunLengthDecodeAbbreviation.Data] = runLength,
            [NameToken.Ascii85Decode.Data] = ascii85, [NameToken.Ascii85DecodeAbbreviation.Data] = ascii85,
            [NameToken.AsciiHexDecode.Data] = asciiHex, [NameToken.AsciiHexDecodeAbbreviation.Data] = asciiHex,
            [NameToken.CcittfaxDecode.Data] = ccitt, [NameToken.CcittfaxDecodeAbbreviation.Data] = ccitt,
            [NameToken.DctDecode.Data] = dct, [NameToken.DctDecodeAbbreviation.Data] = dct,
            [NameToken.Jbig2Decode.Data] = jbig2,
            [NameToken.JpxDecode.Data] = jpx,
        };
    }

    private sealed class Budget(long limit)
    {
        private long _used;

        public long Limit => limit;
        public long Used => Interlocked.Read(ref _used);
        public bool Exceeded { get; private set; }

        public long Remaining => Math.Max(0, limit - Used);

        public void Spend(long bytes)
        {
            if (Interlocked.Add(ref _used, bytes) > limit) Refuse();
        }

        public PdfLimitException Refuse()
        {
            Exceeded = true;
            throw new PdfLimitException($"the PDF's streams decompress to more than {limit} bytes (the limit)");
        }
    }

    private sealed class CountedFilter(IFilter inner, Budget budget, bool preflightInflate) : IFilter
    {
        public bool IsSupported => inner.IsSupported;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex)
        {
            if (budget.Exceeded) budget.Refuse();
            if (preflightInflate && InflatedLength(input, budget.Remaining + 1) > budget.Remaining) budget.Refuse();
            var output = inner.Decode(input, streamDictionary, filterProvider, filterIndex);
            budget.Spend(output.Length);
            return output;
        }

        /// <summary>How many bytes the zlib data inflates to, counting no further than <paramref name="cap"/>.</summary>
        private static long InflatedLength(Memory<byte> zlib, long cap)
        {
            // Like PdfPig, skip the two-byte zlib header and read raw deflate; a damaged tail ends the count.
            if (zlib.Length < 2) return 0;
            using var source = new MemoryStream(zlib[2..].ToArray(), writable: false);
            using var inflater = new DeflateStream(source, CompressionMode.Decompress);
            var scratch = new byte[81920];
            long total = 0;
            try
            {
                int read;
                while (total <= cap && (read = inflater.Read(scratch)) > 0) total += read;
            }
            catch (InvalidDataException)
            {
                // Damaged data: what inflated so far is what PdfPig can decode at most.
            }
            return total;
        }
    }
}
