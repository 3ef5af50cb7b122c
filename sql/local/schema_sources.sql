-- local/schema_sources: how much of each history.jsonl / model.json the catalog has ingested.
-- params: none
CREATE TABLE IF NOT EXISTS sources (
    path VARCHAR PRIMARY KEY,
    project VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    inode BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL
)
