-- local/all_sources: the ingest progress of every source (history.jsonl, model.json, split
-- folders): (path, project, model, kind, bytes, lines, inode, mtime_ns).
-- params: none
SELECT path, project, model, kind, bytes, lines, inode, mtime_ns FROM sources
