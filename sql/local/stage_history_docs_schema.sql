-- local/stage_history_docs_schema: where history.jsonl lines wait, one JSON value per line with
-- its line number, between being read (local/stage_history_file, local/stage_history_text) and
-- parsed (local/insert_history_docs). A temp table, never part of a catalog file; made anew
-- each time (a failed call leaves none behind in a transaction, and a stale one is replaced).
-- params: none
CREATE OR REPLACE TEMP TABLE history_docs (seq BIGINT NOT NULL, j JSON)
