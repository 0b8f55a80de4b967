using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.UnitTests.Records;

/// <summary>The record layout in Chroma is a stored format: what earlier proxies wrote must read the same, and what is written now must look the same.</summary>
public sealed class ChromaRecordMapperTests
{
    private static readonly Dictionary<string, string> Lang = new() { ["lang"] = "en" };

    [Fact]
    public void Chunk_records_are_written_in_the_layout_earlier_proxies_wrote()
    {
        var chunk = new StoredChunk("doc1", "guide.md", "ver1", "doc1@ver1", 3, 100, 250, "the text", Lang);

        var record = ChromaRecordMapper.ToChunkRecord(chunk, [0.5f, 0.5f]);

        Assert.Equal("doc1-ver1-000003", record.Id);
        Assert.Equal("the text", record.Document);
        Assert.Equal(
            """{"doc_id":"doc1","doc_name":"guide.md","version":"ver1","revision":"doc1@ver1","chunk_index":3,"start":100,"end":250,"meta.lang":"en"}""",
            JsonSerializer.Serialize(record.Metadata));
    }

    [Fact]
    public void Query_answers_over_records_of_earlier_proxies_read_back_as_chunks()
    {
        // As Chroma answers a query over chunks an earlier proxy wrote; integers may come back as floats.
        var answer = JsonSerializer.Deserialize<ChromaQueryResult>("""
            {"ids":[["doc1-ver1-000003","doc2-ver9-000000"]],
             "documents":[["the text","other text"]],
             "metadatas":[[{"doc_id":"doc1","doc_name":"guide.md","version":"ver1","revision":"doc1@ver1","chunk_index":3,"start":100.0,"end":250,"meta.lang":"en"},
                           {"doc_id":"doc2","doc_name":"notes.txt","version":"ver9","chunk_index":0,"start":0,"end":"80"}]],
             "distances":[[0.25,0.5]]}
            """)!;

        var matches = ChromaRecordMapper.ToChunkMatches(answer);

        Assert.Equal(new StoredChunk("doc1", "guide.md", "ver1", "doc1@ver1", 3, 100, 250, "the text", Lang) with { Metadata = matches[0].Chunk.Metadata },
            matches[0].Chunk);
        Assert.Equal(Lang, matches[0].Chunk.Metadata);
        Assert.Equal(0.25f, matches[0].Distance);
        // A record without the revision key still has one: document@version.
        Assert.Equal("doc2@ver9", matches[1].Chunk.Revision);
        Assert.Equal(80, matches[1].Chunk.End);
    }

    [Fact]
    public void Manifest_records_round_trip_and_name_their_revision()
    {
        var document = new DocumentInfo("guide.md", "doc1", "ver1", "text/markdown", 12, 3456, 1_700_000_000_000, Lang);

        var record = ChromaRecordMapper.ToManifestRecord(document);

        Assert.Equal("doc1", record.Id);
        Assert.Equal([1f], record.Embedding);
        Assert.Equal(
            """{"doc_id":"doc1","doc_name":"guide.md","version":"ver1","revision":"doc1@ver1","content_type":"text/markdown","chunks":12,"characters":3456,"ingested_at_ms":1700000000000,"meta.lang":"en"}""",
            JsonSerializer.Serialize(record.Metadata));
        var read = ChromaRecordMapper.ToDocument(record.Metadata);
        Assert.Equal(document with { Metadata = read.Metadata }, read);
        Assert.Equal(Lang, read.Metadata);
        Assert.Equal("doc1@ver1", ChromaRecordMapper.RevisionOf(record.Metadata));
    }

    [Fact]
    public void Manifest_records_of_earlier_proxies_read_back()
    {
        var metadata = JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>("""
            {"doc_id":"doc1","doc_name":"guide.md","version":"ver1","revision":"doc1@ver1","content_type":"text/plain",
             "chunks":2.0,"characters":"90","ingested_at_ms":1700000000000}
            """)!;

        var document = ChromaRecordMapper.ToDocument(metadata);

        Assert.Equal(("guide.md", 2, 90L, 1_700_000_000_000L), (document.Name, document.ChunkCount, document.Characters, document.IngestedAtUnixMs));
        Assert.Empty(document.Metadata);
        Assert.Equal("doc1@ver1", ChromaRecordMapper.RevisionOf(metadata));
        Assert.Null(ChromaRecordMapper.RevisionOf(new Dictionary<string, JsonNode?> { ["doc_name"] = "x" }));
    }

    [Fact]
    public void Collections_keep_their_kind_model_and_dimension_and_the_manifest_its_stamp()
    {
        var chunks = new ChromaCollection("id1", "docs", ChromaRecordMapper.ChunkCollectionMetadata("all-MiniLM-L6-v2", 384));
        var manifest = new ChromaCollection("id2", "docs.manifest", ChromaRecordMapper.ManifestCollectionMetadata("stamp1"));
        var earlierManifest = new ChromaCollection("id3", "old.manifest", new() { ["mlstack:kind"] = "manifest" });

        Assert.True(ChromaRecordMapper.IsChunkCollection(chunks));
        Assert.False(ChromaRecordMapper.IsChunkCollection(manifest));
        Assert.Equal("cosine", chunks.Metadata!["hnsw:space"]!.ToString());
        Assert.Equal(new StoredCollection("docs", "id1", "id2", "all-MiniLM-L6-v2", 384), ChromaRecordMapper.ToStoredCollection(chunks, "id2"));
        Assert.Equal("manifest", manifest.Metadata!["mlstack:kind"]!.ToString());
        Assert.Equal("stamp1", ChromaRecordMapper.CommitStampOf(manifest));
        Assert.Null(ChromaRecordMapper.CommitStampOf(earlierManifest));
    }

    [Fact]
    public void A_documents_chunks_are_selected_by_id_and_optionally_all_but_one_version()
    {
        Assert.Equal("""{"doc_id":"doc1"}""", ChromaRecordMapper.ChunksOf("doc1").ToJsonString());
        Assert.Equal("""{"$and":[{"doc_id":"doc1"},{"version":{"$ne":"ver2"}}]}""", ChromaRecordMapper.ChunksOf("doc1", exceptVersion: "ver2").ToJsonString());
    }
}
