-- local/copy_sources: a reader's copy of the attached catalog's ingest progress (explicit columns).
-- params: none
INSERT INTO sources (path, project, model, kind, bytes, lines, inode, mtime_ns)
SELECT path, project, model, kind, bytes, lines, inode, mtime_ns FROM art_catalog.main.sources
